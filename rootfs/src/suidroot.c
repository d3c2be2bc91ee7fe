/* suidroot: installed setuid root, it says whom it runs as.
 *
 * Started by an ordinary user, the setuid bit makes its effective uid 0:
 * the exec raised its privileges.  Under no_new_privs (the nonewprivs
 * layer) execve() ignores the bit, and it runs as its caller.
 *
 * Built static into the rootfs (rootfs/build.sh) as
 * /usr/local/bin/suidroot, mode 4755.
 */
#include <stdio.h>
#include <unistd.h>

int
main(void)
{
	uid_t uid = getuid(), euid = geteuid();

	if (euid == 0 && uid != 0)
		printf("suidroot: started by uid %u, running as euid 0: the "
		       "setuid bit made me root\n", (unsigned)uid);
	else if (uid != 0)
		printf("suidroot: started by uid %u, running as euid %u: the "
		       "setuid bit gave me nothing\n", (unsigned)uid,
		       (unsigned)euid);
	else
		printf("suidroot: started by root, so the setuid bit changes "
		       "nothing; start me as another user (su -s /bin/sh "
		       "nobody -c suidroot)\n");
	return 0;
}
