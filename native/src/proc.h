/*
 * What the addon reads of a process blocked on a permission event, from /proc, while it waits:
 * so the facts describe the accessor (it can neither exit nor exec meanwhile), and JavaScript
 * need not read them itself on the verdict path.
 */
#ifndef TRIPLINE_PROC_H
#define TRIPLINE_PROC_H

#include <stdint.h>
#include <sys/types.h>

/* Each has_* is 0 when that fact could not be read (the process was killed while waiting, or a
 * line did not fit): JavaScript then reads it itself. */
typedef struct tl_proc {
  int has_stat;
  /* /proc/<pid>/stat as the kernel wrote it; room for any real line (about 300 bytes). */
  char stat[1024];
  long threads; /* num_threads from stat; 0 when unknown */
  pid_t ppid;
  uint64_t start_ticks; /* starttime from stat: with the pid and exe, one process execution */
  int has_syscall;
  /* /proc/<pid>/syscall, read only for a single-threaded process (otherwise the waiting thread
   * is not known here) and only when the event's kind needs it. */
  char syscall[256];
  int has_exe;
  uint64_t exe_dev, exe_ino;
  int has_owner; /* owner of /proc/<pid>: follows the effective uid and gid */
  uint32_t owner_uid, owner_gid;
  int has_parent_exe;
  uint64_t parent_exe_dev, parent_exe_ino;
} tl_proc;

/* The process's /proc directory (O_PATH), for the reads below; -1 when it is gone. */
int tl_proc_open(pid_t pid);
/* stat, and the syscall line when want_syscall and the process has a single thread. */
void tl_proc_read_state(int dirfd, int want_syscall, tl_proc *p);
/* The syscall line alone (unless already read); whether it was read. */
int tl_proc_read_syscall(int dirfd, tl_proc *p);
/* Thread count from the link count of /proc/<pid>/task: one stat() where stat's text costs a
 * read of a generated file (about 0.6 against 4 µs). Only where tl_proc_links_count_threads()
 * said the kernel counts that way; -1 when unreadable. */
long tl_proc_threads_by_links(int dirfd);
int tl_proc_links_count_threads(void);
/* The executable's identity, the owner and the parent's executable (needs the state's ppid). */
void tl_proc_read_identity(int dirfd, tl_proc *p);
/* True when a syscall line was read and names the syscall the thread sleeps in (not "running"). */
int tl_proc_syscall_known(const tl_proc *p);
/* True when the syscall line names a plain read (read, pread64, readv, preadv, preadv2). */
int tl_proc_blocked_in_read(const tl_proc *p);

#endif
