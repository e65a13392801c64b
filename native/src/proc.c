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

/* ppid (field 4) and num_threads (field 20), counted after the last ')' because the command
 * name (field 2) may hold spaces and parentheses. */
static int parse_stat(const char *text, pid_t *ppid, long *threads) {
  const char *p = strrchr(text, ')');
  if (!p) return 0;
  p++;
  long values[18];
  for (int field = 0; field < 18; field++) {
    while (*p == ' ') p++;
    if (*p == '\0') return 0;
    char *end;
    values[field] = strtol(p, &end, 10);
    if (field > 0 && end == p) return 0; /* field 3 (state) is a letter */
    while (*end != ' ' && *end != '\0') end++;
    p = end;
  }
  *ppid = (pid_t)values[1];
  *threads = values[17];
  return 1;
}

void tl_proc_read_state(int dirfd, int want_syscall, tl_proc *p) {
  if (!read_whole(dirfd, "stat", p->stat, sizeof p->stat)) return;
  if (!parse_stat(p->stat, &p->ppid, &p->threads)) {
    p->stat[0] = '\0';
    return;
  }
  p->has_stat = 1;
  if (want_syscall && p->threads == 1) p->has_syscall = read_whole(dirfd, "syscall", p->syscall, sizeof p->syscall);
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

int tl_proc_blocked_in_read(const tl_proc *p) {
  if (!p->has_syscall) return 0;
  /* "nr a0 ... a5 sp pc", "-1 sp pc" for a page fault, or "running" when it is not asleep yet. */
  char *end;
  long nr = strtol(p->syscall, &end, 10);
  if (end == p->syscall || (*end != ' ' && *end != '\n')) return 0;
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
