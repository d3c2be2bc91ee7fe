/* breakout: the classic way out of a chroot, for a process that is root
 * inside it.
 *
 * chroot(2) changes where path lookups start, and nothing else.  This
 * program chroots into /tmp without moving its working directory, which
 * is then outside its new root: ".." from there is not stopped at the
 * root, so enough of them reach the real "/" of the mount namespace, and
 * chroot(".") makes that the root again.  Then it lists "/".
 *
 * Under pivot_root with the old root detached there is no real "/" left
 * to reach: the walk stops at the container's own root, and the listing
 * is the container's.
 *
 * Built static into the rootfs (rootfs/build.sh) as /usr/local/bin/breakout.
 */
#include <stdio.h>
#include <unistd.h>

int
main(void)
{
	if (chroot("/tmp") < 0) {
		perror("breakout: chroot(\"/tmp\") (it needs root inside)");
		return 1;
	}
	/* The working directory is still the old root, outside /tmp. */
	for (int i = 0; i < 64; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		perror("breakout: chroot(\".\")");
		return 1;
	}
	printf("breakout: chroot(\"/tmp\") without chdir, 64 times \"..\", "
	       "chroot(\".\"); \"/\" now holds:\n");
	fflush(stdout);
	execl("/bin/ls", "ls", "-1", "/", (char *)NULL);
	perror("breakout: exec /bin/ls");
	return 1;
}
