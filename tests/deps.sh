#!/bin/sh
# Installs the Debian packages named on the command line that are missing.
# As root on Debian or Ubuntu it runs apt-get; elsewhere it prints the exact
# command and fails.
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing:$missing"
	apt-get update -qq &&
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing ||
		exit 1
	# Debian starts shellinabox's service, a login page on port 4200 of
	# every address: the tests start their own, on localhost, and need no
	# such page left open on this machine.
	case " $missing " in
	*" shellinabox "*)
		if [ -d /run/systemd/system ]; then
			systemctl disable --now shellinabox >/dev/null 2>&1
			echo "shellinabox: its service stopped and disabled (the tests run their own)"
		fi ;;
	esac
	exit 0
fi
echo "boxstep needs these packages:$missing" >&2
if command -v apt-get >/dev/null 2>&1; then
	echo "install them with:  sudo apt-get install$missing" >&2
else
	echo "this is not a Debian or Ubuntu system: install the equivalents" \
	     "of:  apt-get install$missing" >&2
fi
exit 1
