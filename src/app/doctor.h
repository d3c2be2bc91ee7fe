/* doctor: `boxstep class doctor [--as USER]`, whether this host is ready
 * for a room of learners without root, and what to change where not.
 *
 * What a learner meets is tried as a learner: as root it forks a child
 * that becomes USER (nobody by default; an ordinary user tries as
 * themselves), and that child reads the rootfs and the lessons, makes
 * the session's host exactly as a rootless session does
 * (spawn_rootless_enter) and mounts an overlay of the rootfs in it.  The
 * rest is read: the kernel's settings for user namespaces (Debian's
 * switch, the count, Ubuntu's AppArmor restriction), cgroup v2 and the
 * controllers systemd delegates to user@.service (Delegate=, from the
 * unit and its drop-ins), the room's directory and its entry in
 * tmpfiles.d, and the class file with its instructors group.  Each
 * finding is ok, a note, or a fix, with the change that mends it.
 */
#ifndef BOXSTEP_DOCTOR_H
#define BOXSTEP_DOCTOR_H

/* ROOTFS and LESSONS: the default root filesystem and the lessons'
 * directory; ARGV the words after `doctor`.  Returns 0 when nothing needs
 * fixing, 1 when something does, 2 on a usage error. */
int doctor_main(const char *rootfs, const char *lessons, int argc,
		char **argv);

#endif
