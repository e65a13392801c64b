/*
 * One fanotify group: init, mark, read and parse events, answer permission events.
 * Plain C with no N-API in it, so the kernel side can be read (and reasoned about) alone.
 */
#ifndef TRIPLINE_GROUP_H
#define TRIPLINE_GROUP_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc.h"

/* The access group blocks accessors (permission events); the tamper group only observes
 * directory entry and attribute changes, which need FID reporting, which the kernel refuses
 * on a permission class. */
enum tl_kind { TL_ACCESS = 0, TL_TAMPER = 1 };

/* Room for "fsid0.fsid1.type.hex(handle)" with handles up to MAX_HANDLE_SZ (128) bytes. */
#define TL_KEY_MAX 300

/* One process execution (pid, start time, executable) and one file (inode, and the name it was
 * reached by): what an answered permission event leaves in the group's `answered` table. */
typedef struct tl_exec_key {
  pid_t pid;
  uint64_t start_ticks;
  uint64_t exe_dev, exe_ino;
  uint64_t dev, ino;
  uint64_t path_hash;
} tl_exec_key;

/* Answered executions kept: a set-associative table, the least recently recorded way replaced. */
#define TL_ANSWERED_WAYS 4
#define TL_ANSWERED_SETS 256

typedef struct tl_answered {
  tl_exec_key key;
  uint64_t stamp; /* 0: empty */
} tl_answered;

typedef struct tl_pending {
  uint32_t id;
  int fd;
  int pidfd;
  pid_t pid;
  uint64_t deadline_ms;
  int has_key; /* the facts to key it were read (see exec_key in group.c) */
  int signalled;
  tl_exec_key key;
} tl_pending;

/*
 * The access group is read on a thread of the addon's own (addon.c) while JavaScript replies,
 * signals, forgets and the timer expires on the loop's thread: `lock` guards the pending and
 * answered tables and the counters. Held only around table work and the response write, never
 * across a read of the fd or of /proc.
 */
typedef struct tl_group {
  int fd;
  pthread_mutex_t lock;
  char *buf; /* TL_READ_BUF bytes: one per group, as two groups are read on different threads */
  int reads_per_call; /* reads of the fd per tl_group_read (see TL_READS_PER_CALL) */
  enum tl_kind kind;
  unsigned init_flags; /* what fanotify_init accepted: class and reporting flags */
  pid_t self;
  uint64_t timeout_ms;
  uint32_t next_id;
  uint64_t expired;
  uint64_t reads_allowed; /* pre-access reads answered here (see read_accessor) */
  uint64_t fast_allowed; /* reads and opens answered here after an answered event (fast_allow) */
  tl_answered *answered; /* TL_ANSWERED_SETS * TL_ANSWERED_WAYS, access group only */
  uint64_t answered_stamp;
  int links_count_threads; /* tl_proc_links_count_threads(), checked at open */
  tl_pending *pending;
  size_t npending, cap;
} tl_group;

/* What one kernel event turns into; filled by tl_group_read, consumed by the binding. */
typedef struct tl_event {
  /* Wall-clock time the event was read (ms since the epoch): JavaScript may see it later. */
  double time_ms;
  uint64_t mask;
  pid_t pid;
  uint32_t id; /* 0: nothing to answer */
  int answered; /* a permission event already allowed here (fast_allow): nothing to answer */
  int has_file;
  char path[PATH_MAX];
  uint64_t dev, ino;
  uint32_t mode;
  int has_range;
  uint64_t offset, count;
  char dir_key[TL_KEY_MAX];
  char name[NAME_MAX + 1];
  char obj_key[TL_KEY_MAX];
  tl_proc proc; /* access group's permission events only */
} tl_event;

typedef void (*tl_event_cb)(const tl_event *ev, void *ctx);

int tl_group_open(tl_group *g, enum tl_kind kind, uint64_t timeout_ms);
int tl_group_mark(tl_group *g, unsigned flags, uint64_t mask, int dirfd, const char *path);
/* Reads what is queued (non-blocking). Returns events delivered, or -errno. */
int tl_group_read(tl_group *g, tl_event_cb cb, void *ctx);
/* Returns 0, -ENOENT when id is not pending (answered or expired), or the errno the kernel gave
 * for the first response when it had to fall back to a plain verdict. With `remember` and an
 * allow, the same execution's later reads and opens of the same file through the same name are
 * allowed here and delivered answered (fast_allow in group.c). */
int tl_group_reply(tl_group *g, uint32_t id, uint32_t response, int remember);
/* Forgets every remembered execution: the policies or the names of the watched files changed. */
void tl_group_forget(tl_group *g);
int tl_group_signal(tl_group *g, uint32_t id, int sig);
/* A consistent copy of the counters, taken under the lock. */
typedef struct tl_group_stats {
  size_t pending;
  uint64_t expired, reads_allowed, fast_allowed;
} tl_group_stats;
tl_group_stats tl_group_get_stats(tl_group *g);
/* Allows every pending event older than the timeout; returns how many. */
size_t tl_group_expire(tl_group *g, uint64_t now_ms);
/* Allows everything pending, then closes the group. Safe to call twice; no thread may be
 * reading the group any more. */
void tl_group_close(tl_group *g);

int tl_fid_key(int fd, char *out, size_t len);
uint64_t tl_now_ms(void);

#endif
