#!/usr/bin/env bash
# Image import: docker save and OCI layout archives built here, the way
# those tools write them (a whiteout, an opaque directory, a hard link,
# gzip layers), imported and run; hostile archives refused with nothing
# written outside the image.  Usage: image.sh [BOXSTEP]
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
suite_start image.sh "${1:-}"
trap 'rm -rf "$work"' EXIT
export BOXSTEP_IMAGES=$work/images
echo "boxstep image tests: $BOX"

# --- the archives -------------------------------------------------------------

# Layer 1: a busybox system with files that layer 2 changes.
l1=$work/src/l1
mkdir -p "$l1"/{bin,etc,opt/dir,tmp}
cp "$ROOTFS/bin/busybox" "$l1/bin/busybox"
for a in sh cat ls stat; do ln -s busybox "$l1/bin/$a"; done
echo "layer one" >"$l1/etc/motd"
echo "doomed" >"$l1/etc/gone"
echo a >"$l1/opt/dir/a"
echo b >"$l1/opt/dir/b"
ln "$l1/etc/motd" "$l1/etc/hard"
echo "#!/bin/sh" >"$l1/bin/suid"
chmod 4755 "$l1/bin/suid"
ln "$l1/bin/suid" "$l1/bin/suid-too"
chmod 1777 "$l1/tmp"
# Layer 2: etc/gone whited out, opt/dir made opaque with a new file, and
# etc/motd rewritten.
l2=$work/src/l2
mkdir -p "$l2"/{etc,opt/dir}
: >"$l2/etc/.wh.gone"
: >"$l2/opt/dir/.wh..wh..opq"
echo c >"$l2/opt/dir/c"
echo "layer two" >"$l2/etc/motd"

tar -C "$l1" -cf "$work/l1.tar" .
tar -C "$l2" -cf "$work/l2.tar" .

# docker save: manifest.json naming <id>/layer.tar for each layer.
d=$work/docker
mkdir -p "$d/l1" "$d/l2"
cp "$work/l1.tar" "$d/l1/layer.tar"
cp "$work/l2.tar" "$d/l2/layer.tar"
echo '{}' >"$d/config.json"
echo '[{"Config":"config.json","RepoTags":["tiny:1.0"],"Layers":["l1/layer.tar","l2/layer.tar"]}]' >"$d/manifest.json"
tar -C "$d" -cf "$work/docker.tar" l1 l2 config.json manifest.json

# OCI image layout: index.json -> manifest blob -> gzip layer blobs.
o=$work/oci
mkdir -p "$o/blobs/sha256"
blob() { # FILE: stores it as a blob, prints its digest
	local sum
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	cp "$1" "$o/blobs/sha256/$sum"
	echo "sha256:$sum"
}
gzip -c "$work/l1.tar" >"$work/l1.tar.gz"
gzip -c "$work/l2.tar" >"$work/l2.tar.gz"
g1=$(blob "$work/l1.tar.gz")
g2=$(blob "$work/l2.tar.gz")
echo '{"architecture":"amd64","os":"linux"}' >"$work/config.json"
cfg=$(blob "$work/config.json")
cat >"$work/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"$cfg","size":1},
 "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"$g1","size":1},
           {"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"$g2","size":1}]}
JSON
man=$(blob "$work/manifest.json")
echo '{"imageLayoutVersion":"1.0.0"}' >"$o/oci-layout"
cat >"$o/index.json" <<JSON
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",
 "digest":"$man","size":1,"annotations":{"org.opencontainers.image.ref.name":"tiny-oci"}}]}
JSON
tar -C "$o" -cf "$work/oci.tar" oci-layout index.json blobs

# A docker save archive around one layer tarball LAYER, as OUT.
save_one() {
	local layer=$1 out=$2 dir
	dir=$(mktemp -d "$work/save.XXXXXX")
	mkdir "$dir/l"
	cp "$layer" "$dir/l/layer.tar"
	echo '[{"Config":"c.json","RepoTags":["evil:1"],"Layers":["l/layer.tar"]}]' >"$dir/manifest.json"
	echo '{}' >"$dir/c.json"
	tar -C "$dir" -cf "$out" l manifest.json c.json
}

# Hostile: a member named ../../escaped.
mkdir -p "$work/src/evil"
echo pwned >"$work/src/evil/escaped"
tar -C "$work/src/evil" -P --transform 's,^escaped,../../escaped,' -cf "$work/dotdot-layer.tar" escaped 2>/dev/null
save_one "$work/dotdot-layer.tar" "$work/dotdot.tar"

# Hostile: layer 1 plants link -> an absolute host path, layer 2 writes
# link/owned through it.
mkdir -p "$work/target" "$work/src/sym1" "$work/src/sym2"
ln -s "$work/target" "$work/src/sym1/link"
tar -C "$work/src/sym1" -cf "$work/sym1.tar" link
echo pwned >"$work/src/sym2/owned"
tar -C "$work/src/sym2" --transform 's,^owned,link/owned,' -cf "$work/sym2.tar" owned
sd=$work/symsave
mkdir -p "$sd/a" "$sd/b"
cp "$work/sym1.tar" "$sd/a/layer.tar"
cp "$work/sym2.tar" "$sd/b/layer.tar"
echo '[{"Config":"c.json","RepoTags":["evil:2"],"Layers":["a/layer.tar","b/layer.tar"]}]' >"$sd/manifest.json"
echo '{}' >"$sd/c.json"
tar -C "$sd" -cf "$work/symlink.tar" a b manifest.json c.json

# Not an image: a plain filesystem tarball.
tar -C "$l2" -cf "$work/plain.tar" .

# --- the tests ----------------------------------------------------------------

imported() { # NAME: the image's directory
	echo "$BOXSTEP_IMAGES/$1"
}

test_docker_save() {
	box import "$work/docker.tar"
	check "imports, named after its tag" contains "$out" "import: done: $(imported tiny-1.0)"
	check "two layers, the second removing 3 things" contains "$out" "layer 2: l2/layer.tar, tar: "
	local r
	r=$(imported tiny-1.0)
	check "the later layer's file wins" equals "$(cat "$r/etc/motd")" "layer two"
	check "the whiteout removed etc/gone" test ! -e "$r/etc/gone"
	check "the opaque directory lost a and b" equals "$(ls "$r/opt/dir")" c
	check "a hard link is one file" equals "$(stat -c %h "$r/bin/suid-too")" 2
	check "one to a file a later layer replaced keeps the old content" \
		equals "$(cat "$r/etc/hard")" "layer one"
	check "setuid kept" equals "$(stat -c %a "$r/bin/suid")" 4755
	check "sticky /tmp kept" equals "$(stat -c %a "$r/tmp")" 1777
	check "no whiteout files are left" equals "$(find "$r" -name '.wh.*' | wc -l)" 0
	check "proc, sys and dev made for the layers" test -d "$r/proc" -a -d "$r/sys" -a -d "$r/dev"
	box import "$work/docker.tar"
	check "importing again under the same name is refused" contains "$out" "an image called tiny-1.0 is there already"
	check "with a non-zero status" equals "$rc" 1
}

test_oci_layout() {
	box import "$work/oci.tar" tiny2
	check "an OCI layout with gzip layers imports" contains "$out" "layer 1: blobs/sha256/${g1#sha256:}, tar+gzip"
	check "under the name given" test -d "$(imported tiny2)"
	check "the whiteout applied" test ! -e "$(imported tiny2)/etc/gone"
	check "the opaque directory applied" equals "$(ls "$(imported tiny2)/opt/dir")" c
	box import "$work/oci.tar"
	check "named after its ref.name annotation" contains "$out" "import: done: $(imported tiny-oci)"
}

test_run_an_image() {
	box images
	check "images lists them" contains "$out" "tiny2"
	box -c 'set rootfs tiny2; enable uts pid mnt chroot proc; set hostname imported; run sh -c "cat /etc/motd; hostname; ls /opt/dir; echo pid=\$\$"'
	check "set rootfs NAME finds it" contains "$out" "(the image tiny2: $(imported tiny2))"
	check "the container runs in it" contains "$out" "layer two"
	check "with its layers on" contains "$out" "pid=1"
	box -c 'set rootfs no-such-image'
	check "a name that is no image says where to look" contains "$out" "boxstep images"
}

test_hostile_archives() {
	box import "$work/dotdot.tar" dotdot
	check "a '..' member is refused" contains "$out" "has '..' in its path"
	check "with a non-zero status" equals "$rc" 1
	check "nothing escaped" test ! -e "$BOXSTEP_IMAGES/../escaped" -a ! -e "$work/escaped"
	check "no partial image is left" equals "$(ls "$BOXSTEP_IMAGES" | grep -c dotdot)" 0
	box import "$work/symlink.tar" sym
	check "writing through an absolute symlink is refused" contains "$out" "leads out of the image (through an absolute symlink"
	check "the host directory it pointed at is untouched" equals "$(ls -A "$work/target")" ""
	check "no partial image is left" equals "$(ls "$BOXSTEP_IMAGES" | grep -c sym)" 0
}

test_bad_archives() {
	box import "$work/plain.tar"
	check "a filesystem tarball is not an image, and it says what to do" contains "$out" "neither manifest.json (docker save) nor index.json"
	box import /nonexistent.tar
	check "a missing file" contains "$out" "/nonexistent.tar: No such file or directory"
	box import "$work"
	check "a directory" contains "$out" "is a directory: import takes an archive"
	head -c 3000 /dev/urandom >"$work/noise.tar"
	box import "$work/noise.tar"
	check "noise" contains "$out" "is not a readable tar archive"
	box import "$work/docker.tar" ../up
	check "a name with a slash" contains "$out" "cannot name an image"
	box import
	check "no file" contains "$out" "usage: boxstep import FILE.tar[:TAG] [NAME]"
	check "usage status" equals "$rc" 2
}

# Archives of several images, made by real tools: an OCI layout with two
# tags (umoci), and a docker save of two images (skopeo writes each
# docker-archive; their manifest.json entries together are what `docker
# save tiny:one tiny:two` writes).
make_multi() {
	local lay=$work/multi/lay t
	mkdir -p "$work/multi"
	umoci init --layout "$lay" || return 1
	for t in one two; do
		umoci new --image "$lay:$t" &&
		umoci unpack --image "$lay:$t" "$work/multi/$t" >/dev/null || return 1
		mkdir -p "$work/multi/$t/rootfs/bin"
		cp "$ROOTFS/bin/busybox" "$work/multi/$t/rootfs/bin/"
		ln -s busybox "$work/multi/$t/rootfs/bin/cat"
		ln -s busybox "$work/multi/$t/rootfs/bin/sh"
		echo "image $t" >"$work/multi/$t/rootfs/which"
		umoci repack --image "$lay:$t" "$work/multi/$t" || return 1
		skopeo copy -q "oci:$lay:$t" "docker-archive:$work/multi/$t.tar:tiny:$t" || return 1
		mkdir -p "$work/multi/d$t"
		tar -C "$work/multi/d$t" -xf "$work/multi/$t.tar"
	done
	tar -C "$lay" -cf "$work/multi-oci.tar" .
	mkdir -p "$work/multi/both"
	cp -r "$work/multi/done/." "$work/multi/dtwo/." "$work/multi/both/"
	jq -s 'add' "$work/multi/done/manifest.json" "$work/multi/dtwo/manifest.json" \
		>"$work/multi/both/manifest.json"
	tar -C "$work/multi/both" -cf "$work/multi-docker.tar" .
	skopeo copy -q --additional-tag tiny:also "oci:$lay:one" \
		"docker-archive:$work/two-tags.tar:tiny:one"
}

test_several_images() {
	make_multi || { check "umoci and skopeo make the archives" false; return; }
	box import "$work/multi-oci.tar"
	check "several images and no tag: refused" contains "$out" "multi-oci.tar holds 2 images; name the one to import: boxstep import $work/multi-oci.tar:TAG, TAG one of: one, two"
	check "with a non-zero status" equals "$rc" 1
	check "and nothing imported" equals "$(ls "$BOXSTEP_IMAGES" | grep -c '^one$\|^two$')" 0
	cp "$work/multi-oci.tar" "$work/my images.tar"
	box import "$work/my images.tar"
	check "the command it suggests is quoted for a shell" \
		contains "$out" "boxstep import '$work/my images.tar':TAG, TAG one of"
	box import "$work/multi-oci.tar:three"
	check "a tag it lacks: refused, with its tags" contains "$out" "has no image tagged 'three'; its tags: one, two"
	box import "$work/multi-oci.tar:two"
	check "FILE.tar:TAG imports that one" contains "$out" "import: done: $(imported two)"
	check "the second image, not the first" equals "$(cat "$(imported two)/which")" "image two"
	box import "$work/multi-docker.tar"
	check "docker save of two: refused too" contains "$out" "TAG one of: docker.io/library/tiny:one, docker.io/library/tiny:two"
	box import "$work/multi-docker.tar:tiny:one"
	check "a tag without its registry" contains "$out" "import: done: $(imported tiny-one)"
	check "is the image tagged so" equals "$(cat "$(imported tiny-one)/which")" "image one"
	box -e -c "set rootfs two; enable uts pid mnt chroot proc; run cat /which"
	check "and runs" has_line "$out" "^image two\$"
	box import "$work/two-tags.tar" twotags
	check "one image of two tags needs no tag" contains "$out" "import: done: $(imported twotags)"
}

t "import: a docker save archive, whiteouts and all" test_docker_save
t "import: an OCI image layout with gzip layers" test_oci_layout
t "import: images, set rootfs NAME, and a container in it" test_run_an_image
t "import: hostile archives are refused, nothing escapes" test_hostile_archives
t "import: what is not an image archive" test_bad_archives
t "import: archives of several images, FILE.tar:TAG" test_several_images
summary "image"
