/**
 * fanotify numbers from include/uapi/linux/fanotify.h, kept here rather than in C so the addon
 * stays a thin pipe and the choice of events lives next to the code that interprets them.
 */

export const FAN_ACCESS_PERM = 0x0002_0000;
export const FAN_OPEN_PERM = 0x0001_0000;
export const FAN_OPEN_EXEC_PERM = 0x0004_0000;
/** Linux 6.14+: before any read or write of the content, with the byte range; pre-content class only. */
export const FAN_PRE_ACCESS = 0x0010_0000;

export const FAN_MODIFY = 0x0000_0002;
export const FAN_ATTRIB = 0x0000_0004;
export const FAN_CLOSE_WRITE = 0x0000_0008;
export const FAN_MOVED_FROM = 0x0000_0040;
export const FAN_MOVED_TO = 0x0000_0080;
export const FAN_CREATE = 0x0000_0100;
export const FAN_DELETE = 0x0000_0200;
export const FAN_DELETE_SELF = 0x0000_0400;
export const FAN_MOVE_SELF = 0x0000_0800;
export const FAN_Q_OVERFLOW = 0x0000_4000;
export const FAN_ONDIR = 0x4000_0000;

export const FAN_MARK_ADD = 0x01;
export const FAN_MARK_REMOVE = 0x02;
export const FAN_MARK_ONLYDIR = 0x08;

export const FAN_CLASS_PRE_CONTENT = 0x08;
export const FAN_REPORT_PIDFD = 0x80;

export const FAN_ALLOW = 0x01;
export const FAN_DENY = 0x02;

export const AT_FDCWD = -100;

/** Which group a native handle drives (enum tl_kind in native/src/group.h). */
export const GROUP_ACCESS = 0;
export const GROUP_TAMPER = 1;

export const PERMISSION_EVENTS = FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM | FAN_PRE_ACCESS;

/** Decoy inodes in the access group. Without FAN_PRE_ACCESS (filesystems that refuse it, such as
 * tmpfs) writes can only be seen after the fact, through FAN_MODIFY. */
export const ACCESS_MASK = FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM | FAN_PRE_ACCESS;
export const ACCESS_MASK_NO_PRE_CONTENT = FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM | FAN_MODIFY;

/** Decoy inodes in the tamper group: attribute changes and content changes reach the inode
 * whichever name (hard link) they were made through. */
export const TAMPER_INODE_MASK = FAN_ATTRIB | FAN_CLOSE_WRITE | FAN_DELETE_SELF | FAN_MOVE_SELF;
/** Parent directories in the tamper group: entries created, deleted or renamed, which is how a
 * decoy gets replaced by a new inode at the same path. */
export const TAMPER_DIR_MASK = FAN_CREATE | FAN_DELETE | FAN_MOVED_FROM | FAN_MOVED_TO;
/** Every directory on a decoy's path, in the tamper group: renamed or deleted, the decoy is no
 * longer reachable at its path. FAN_ONDIR: without it the kernel drops events on directories. */
export const TAMPER_ANCESTOR_MASK = FAN_MOVE_SELF | FAN_DELETE_SELF | FAN_ONDIR;

/** Errnos a pre-content group may return with a deny (measured on 6.18; EACCES and EINVAL are
 * refused). A content-class group can only deny with EPERM. */
export const DENY_ERRNOS: ReadonlySet<string> = new Set(['EPERM', 'EIO', 'EBUSY', 'ETXTBSY', 'EAGAIN', 'ENOSPC', 'EDQUOT']);

export function denyResponse(errno: number): number {
  return (FAN_DENY | ((errno & 0xff) << 24)) >>> 0;
}
