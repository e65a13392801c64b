/*
 * One fanotify group: init, mark, read and parse events, answer permission events.
 * Plain C with no N-API in it, so the kernel side can be read (and reasoned about) alone.
 */
#ifndef TRIPLINE_GROUP_H
#define TRIPLINE_GROUP_H

#include <limits.h>
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

typedef struct tl_pending {
  uint32_t id;
  int fd;
  int pidfd;
  pid_t pid;
  uint64_t deadline_ms;
} tl_pending;

typedef struct tl_group {
  int fd;
  enum tl_kind kind;
  unsigned init_flags; /* what fanotify_init accepted: class and reporting flags */
  pid_t self;
  uint64_t timeout_ms;
  uint32_t next_id;
  uint64_t expired;
  uint64_t reads_allowed; /* pre-access reads answered here (see read_accessor) */
  int links_count_threads; /* tl_proc_links_count_threads(), checked at open */
  tl_pending *pending;
  size_t npending, cap;
} tl_group;

/* What one kernel event turns into; filled by tl_group_read, consumed by the binding. */
typedef struct tl_event {
  uint64_t mask;
  pid_t pid;
  uint32_t id; /* 0: nothing to answer */
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
 * for the first response when it had to fall back to a plain verdict. */
int tl_group_reply(tl_group *g, uint32_t id, uint32_t response);
int tl_group_signal(tl_group *g, uint32_t id, int sig);
/* Allows every pending event older than the timeout; returns how many. */
size_t tl_group_expire(tl_group *g, uint64_t now_ms);
/* Allows everything pending, then closes the group. Safe to call twice. */
void tl_group_close(tl_group *g);

int tl_fid_key(int fd, char *out, size_t len);
uint64_t tl_now_ms(void);

#endif
