/*
 * /proc reads for a blocked accessor: plain openat/read/close into the caller's buffers, no
 * allocation, every fd close-on-exec. Each read either fits its buffer whole or counts as not
 * read, so a caller never sees a cut line.
 */
#define _GNU_SOURCE
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int tl_proc_open(pid_t pid) {
  char path[32];
  snprintf(path, sizeof path, "/proc/%d", (int)pid);
  return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The whole file into buf, NUL-terminated; 0 when unreadable or longer than buf. */
static int read_whole(int dirfd, const char *name, char *buf, size_t size) {
  int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  /* One read: these files are produced whole at the first read (single_open). */
  ssize_t n = read(fd, buf, size);
  close(fd);
  if (n <= 0 || (size_t)n >= size) return 0;
  buf[n] = '\0';
  return 1;
}

/* ppid (field 4), num_threads (field 20) and starttime (field 22), counted after the last ')'
 * because the command name (field 2) may hold spaces and parentheses. */
static int parse_stat(const char *text, pid_t *ppid, long *threads, uint64_t *start) {
  const char *p = strrchr(text, ')');
  if (!p) return 0;
  p++;
  long long values[20];
  for (int field = 0; field < 20; field++) {
    while (*p == ' ') p++;
    if (*p == '\0') return 0;
    char *end;
    values[field] = strtoll(p, &end, 10);
    if (field > 0 && end == p) return 0; /* field 3 (state) is a letter */
    while (*end != ' ' && *end != '\0') end++;
    p = end;
  }
  *ppid = (pid_t)values[1];
  *threads = (long)values[17];
  *start = (uint64_t)values[19];
  return 1;
}

int tl_proc_read_syscall(int dirfd, tl_proc *p) {
  if (!p->has_syscall) p->has_syscall = read_whole(dirfd, "syscall", p->syscall, sizeof p->syscall);
  return p->has_syscall;
}

void tl_proc_read_state(int dirfd, int want_syscall, tl_proc *p) {
  if (!read_whole(dirfd, "stat", p->stat, sizeof p->stat)) return;
  if (!parse_stat(p->stat, &p->ppid, &p->threads, &p->start_ticks)) {
    p->stat[0] = '\0';
    return;
  }
  p->has_stat = 1;
  /* Only a single-threaded process's line is known to be the waiting thread's. */
  if (p->threads != 1) p->has_syscall = 0;
  else if (want_syscall) tl_proc_read_syscall(dirfd, p);
}

/* /proc/<pid>/task's link count is 2 plus the process's threads (proc_task_getattr). */
long tl_proc_threads_by_links(int dirfd) {
  struct stat st;
  return fstatat(dirfd, "task", &st, 0) == 0 ? (long)st.st_nlink - 2 : -1;
}

int tl_proc_links_count_threads(void) {
  /* Checked against stat's num_threads on this process, unchanged across the check (a thread
   * starting meanwhile makes it try again): a kernel that counted otherwise must not make a
   * multi-threaded process look single-threaded. */
  int dirfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) return 0;
  int ok = 0;
  for (int attempt = 0; attempt < 5 && !ok; attempt++) {
    tl_proc p = {0};
    long before = tl_proc_threads_by_links(dirfd);
    tl_proc_read_state(dirfd, 0, &p);
    long after = tl_proc_threads_by_links(dirfd);
    if (!p.has_stat || before != after) continue;
    ok = before == p.threads ? 1 : 0;
    if (!ok) break;
  }
  close(dirfd);
  return ok;
}

void tl_proc_read_identity(int dirfd, tl_proc *p) {
  struct stat st;
  /* stat follows the exe magic link to the running file without opening it. */
  if (fstatat(dirfd, "exe", &st, 0) == 0) {
    p->has_exe = 1;
    p->exe_dev = st.st_dev;
    p->exe_ino = st.st_ino;
  }
  if (fstat(dirfd, &st) == 0) {
    p->has_owner = 1;
    p->owner_uid = st.st_uid;
    p->owner_gid = st.st_gid;
  }
  if (p->has_stat && p->ppid > 0) {
    char path[48];
    snprintf(path, sizeof path, "/proc/%d/exe", (int)p->ppid);
    if (stat(path, &st) == 0) {
      p->has_parent_exe = 1;
      p->parent_exe_dev = st.st_dev;
      p->parent_exe_ino = st.st_ino;
    }
  }
}

/* The syscall number of the line: "nr a0 ... a5 sp pc", "-1 sp pc" for a page fault; 0 when
 * there is none ("running": the thread is not asleep yet, or no line was read). */
static int syscall_nr(const tl_proc *p, long *nr) {
  if (!p->has_syscall) return 0;
  char *end;
  *nr = strtol(p->syscall, &end, 10);
  return end != p->syscall && (*end == ' ' || *end == '\n');
}

int tl_proc_syscall_known(const tl_proc *p) {
  long nr;
  return syscall_nr(p, &nr);
}

int tl_proc_blocked_in_read(const tl_proc *p) {
  long nr;
  if (!syscall_nr(p, &nr)) return 0;
  switch (nr) {
    case SYS_read:
    case SYS_pread64:
    case SYS_readv:
    case SYS_preadv:
    case SYS_preadv2:
      return 1;
    default:
      return 0;
  }
}
