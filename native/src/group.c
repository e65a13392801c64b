/*
 * The kernel side of the sensor. Every permission event read here is either answered at once
 * (the agent's own accesses) or parked in `pending` until JavaScript answers, the timeout
 * expires, or the group closes: nothing read from the kernel is ever left unanswered, because
 * an unanswered permission event blocks the accessing process for good.
 */
#define _GNU_SOURCE
#include "group.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Newer than the distribution's headers (Linux 6.14+ and 6.5+). */
#ifndef FAN_PRE_ACCESS
#define FAN_PRE_ACCESS 0x00100000
#endif
#ifndef FAN_EVENT_INFO_TYPE_RANGE
#define FAN_EVENT_INFO_TYPE_RANGE 6
#endif
#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200
#endif

struct tl_info_range {
  struct fanotify_event_info_header hdr;
  uint32_t pad;
  uint64_t offset;
  uint64_t count;
};

#define TL_PERM_MASK (FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM | FAN_PRE_ACCESS)
#define TL_READ_BUF (64 * 1024)
/* Bounded so one busy group cannot starve the event loop; level-triggered polling brings us back. */
#define TL_READS_PER_CALL 16

uint64_t tl_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int init_access(unsigned *flags) {
  /* Pre-content is the only class that lets a deny carry an errno other than EPERM and that
   * reports writes (FAN_PRE_ACCESS); older kernels fall back to the content class. */
  const unsigned base = FAN_CLOEXEC | FAN_NONBLOCK | FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS;
  const unsigned tries[] = {
      base | FAN_CLASS_PRE_CONTENT | FAN_REPORT_PIDFD,
      base | FAN_CLASS_CONTENT | FAN_REPORT_PIDFD,
      base | FAN_CLASS_CONTENT,
  };
  int fd = -1;
  for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
    *flags = tries[i];
    fd = fanotify_init(tries[i], O_RDONLY | O_LARGEFILE | O_CLOEXEC);
    if (fd >= 0 || errno != EINVAL) break;
  }
  return fd;
}

static int init_tamper(unsigned *flags) {
  *flags = FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME | FAN_REPORT_FID;
  return fanotify_init(*flags, O_RDONLY | O_CLOEXEC);
}

int tl_group_open(tl_group *g, enum tl_kind kind, uint64_t timeout_ms) {
  memset(g, 0, sizeof *g);
  g->fd = -1;
  g->kind = kind;
  g->reads_per_call = TL_READS_PER_CALL;
  g->buf = aligned_alloc(__alignof__(struct fanotify_event_metadata), TL_READ_BUF);
  if (!g->buf) return -ENOMEM;
  g->self = getpid();
  g->timeout_ms = timeout_ms;
  g->fd = kind == TL_ACCESS ? init_access(&g->init_flags) : init_tamper(&g->init_flags);
  if (g->fd < 0) {
    int err = errno;
    free(g->buf);
    g->buf = NULL;
    return -err;
  }
  pthread_mutex_init(&g->lock, NULL);
  g->links_count_threads = kind == TL_ACCESS && tl_proc_links_count_threads();
  /* Without the table (no memory) nothing is remembered: every event goes to JavaScript. */
  if (kind == TL_ACCESS) g->answered = calloc(TL_ANSWERED_SETS * TL_ANSWERED_WAYS, sizeof *g->answered);
  return 0;
}

int tl_group_mark(tl_group *g, unsigned flags, uint64_t mask, int dirfd, const char *path) {
  return fanotify_mark(g->fd, flags, mask, dirfd, path) < 0 ? -errno : 0;
}

static void format_key(const int fsid[2], const struct file_handle *fh, char *out, size_t len) {
  int n = snprintf(out, len, "%08x%08x.%x.", (unsigned)fsid[0], (unsigned)fsid[1], (unsigned)fh->handle_type);
  for (unsigned i = 0; i < fh->handle_bytes && n > 0 && (size_t)n + 3 < len; i++)
    n += snprintf(out + n, len - (size_t)n, "%02x", fh->f_handle[i]);
}

int tl_fid_key(int fd, char *out, size_t len) {
  struct {
    struct file_handle fh;
    unsigned char bytes[MAX_HANDLE_SZ];
  } h;
  int mount_id;
  /* AT_HANDLE_FID asks for the same encoding fanotify reports; older kernels refuse the flag. */
  h.fh.handle_bytes = MAX_HANDLE_SZ;
  if (name_to_handle_at(fd, "", &h.fh, &mount_id, AT_EMPTY_PATH | AT_HANDLE_FID) < 0) {
    if (errno != EINVAL) return -errno;
    h.fh.handle_bytes = MAX_HANDLE_SZ;
    if (name_to_handle_at(fd, "", &h.fh, &mount_id, AT_EMPTY_PATH) < 0) return -errno;
  }
  struct statfs sfs;
  if (fstatfs(fd, &sfs) < 0) return -errno;
  int fsid[2];
  memcpy(fsid, &sfs.f_fsid, sizeof fsid);
  format_key(fsid, &h.fh, out, len);
  return 0;
}

static void respond(int group_fd, int fd, uint32_t response) {
  struct fanotify_response r = {.fd = fd, .response = response};
  /* ENOENT means the accessor is gone (killed while waiting): nothing left to answer. */
  if (write(group_fd, &r, sizeof r) < 0 && errno != ENOENT) {
    r.response = (response & FAN_DENY) ? FAN_DENY : FAN_ALLOW;
    (void)!write(group_fd, &r, sizeof r);
  }
}

static int park(tl_group *g, int fd, int pidfd, pid_t pid, const tl_exec_key *key) {
  uint64_t deadline = tl_now_ms() + g->timeout_ms;
  pthread_mutex_lock(&g->lock);
  if (g->npending == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 16;
    tl_pending *p = realloc(g->pending, cap * sizeof *p);
    if (!p) {
      pthread_mutex_unlock(&g->lock);
      return 0;
    }
    g->pending = p;
    g->cap = cap;
  }
  if (++g->next_id == 0) g->next_id = 1;
  g->pending[g->npending++] = (tl_pending){g->next_id, fd, pidfd, pid, deadline, key != NULL, 0, key ? *key : (tl_exec_key){0}};
  uint32_t id = g->next_id;
  pthread_mutex_unlock(&g->lock);
  return (int)id;
}

static void drop(tl_group *g, size_t i) {
  if (g->pending[i].fd >= 0) close(g->pending[i].fd);
  if (g->pending[i].pidfd >= 0) close(g->pending[i].pidfd);
  g->pending[i] = g->pending[--g->npending];
}

static ssize_t find(const tl_group *g, uint32_t id) {
  for (size_t i = 0; i < g->npending; i++)
    if (g->pending[i].id == id) return (ssize_t)i;
  return -1;
}

/*
 * Executions JavaScript has answered, per file. JavaScript asks for it (tl_group_reply's `remember`)
 * only for a file that every policy watching it merely monitors (no Sigkill, Override, Signal),
 * so no later verdict on it can be anything but allow; what JavaScript still needs of a later
 * read is the process context, which it read and cached for this execution while that earlier
 * event waited. The key is the execution (pid, start time, executable: a reused pid or an exec
 * is another one), the inode, and the name the file was reached by (the policies match names).
 */
static uint64_t hash_path(const char *path) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (const unsigned char *c = (const unsigned char *)path; *c; c++) h = (h ^ *c) * 1099511628211ull;
  return h;
}

static size_t answered_set(const tl_exec_key *k) {
  uint64_t h = (uint64_t)(uint32_t)k->pid * 0x9e3779b97f4a7c15ull ^ k->ino * 0xc2b2ae3d27d4eb4full ^ k->start_ticks ^ k->path_hash;
  return (size_t)((h ^ (h >> 29)) % TL_ANSWERED_SETS) * TL_ANSWERED_WAYS;
}

static int same_key(const tl_exec_key *a, const tl_exec_key *b) {
  return a->pid == b->pid && a->start_ticks == b->start_ticks && a->exe_dev == b->exe_dev && a->exe_ino == b->exe_ino &&
         a->dev == b->dev && a->ino == b->ino && a->path_hash == b->path_hash;
}

static int answered_has(const tl_group *g, const tl_exec_key *k) {
  if (!g->answered) return 0;
  const tl_answered *set = g->answered + answered_set(k);
  for (int w = 0; w < TL_ANSWERED_WAYS; w++)
    if (set[w].stamp && same_key(&set[w].key, k)) return 1;
  return 0;
}

static void answered_put(tl_group *g, const tl_exec_key *k) {
  if (!g->answered) return;
  tl_answered *set = g->answered + answered_set(k), *slot = &set[0];
  for (int w = 0; w < TL_ANSWERED_WAYS; w++) {
    if (set[w].stamp && same_key(&set[w].key, k)) {
      slot = &set[w];
      break;
    }
    if (set[w].stamp < slot->stamp) slot = &set[w];
  }
  slot->key = *k;
  slot->stamp = ++g->answered_stamp;
}

void tl_group_forget(tl_group *g) {
  pthread_mutex_lock(&g->lock);
  if (g->answered) memset(g->answered, 0, TL_ANSWERED_SETS * TL_ANSWERED_WAYS * sizeof *g->answered);
  pthread_mutex_unlock(&g->lock);
}

/* The execution and file of an access-group event, when the addon read enough to tell them. */
static int exec_key(const tl_event *ev, tl_exec_key *k) {
  const tl_proc *p = &ev->proc;
  if (!ev->has_file || !p->has_stat || !p->has_exe || !ev->path[0]) return 0;
  *k = (tl_exec_key){ev->pid, p->start_ticks, p->exe_dev, p->exe_ino, ev->dev, ev->ino, hash_path(ev->path)};
  return 1;
}

/*
 * A read (FAN_ACCESS_PERM) or another open (FAN_OPEN_PERM) of a remembered execution and file,
 * by a single-threaded process (the thread JavaScript reports is then the process) whose owner
 * could be read (JavaScript would otherwise look at /proc itself, after the process may be gone);
 * an open only with the syscall line it sleeps in, where JavaScript reads the open's flags.
 * Allowed here, before JavaScript hears of it, and then delivered answered with the same facts,
 * so it is reported as before. Exec opens, pre-access events (writes, truncates, mmap) and
 * everything of a process with several threads go to JavaScript as always.
 */
static int fast_allow(tl_group *g, const struct fanotify_event_metadata *m, const tl_event *ev, const tl_exec_key *k) {
  uint64_t kind = m->mask & TL_PERM_MASK;
  const tl_proc *p = &ev->proc;
  if (kind != FAN_ACCESS_PERM && !(kind == FAN_OPEN_PERM && tl_proc_syscall_known(p))) return 0;
  if (p->threads != 1 || !p->has_owner) return 0;
  pthread_mutex_lock(&g->lock);
  int known = answered_has(g, k);
  if (known) g->fast_allowed++;
  pthread_mutex_unlock(&g->lock);
  if (known) respond(g->fd, m->fd, FAN_ALLOW);
  return known;
}

/* Walks the info records after the metadata: pidfd, access range, directory and object ids. */
static int parse_info(const struct fanotify_event_metadata *m, tl_event *ev) {
  int pidfd = -1;
  const char *p = (const char *)m + m->metadata_len, *end = (const char *)m + m->event_len;
  while (p + sizeof(struct fanotify_event_info_header) <= end) {
    const struct fanotify_event_info_header *h = (const void *)p;
    if (h->len == 0 || p + h->len > end) break;
    if (h->info_type == FAN_EVENT_INFO_TYPE_PIDFD) {
      pidfd = ((const struct fanotify_event_info_pidfd *)h)->pidfd;
    } else if (h->info_type == FAN_EVENT_INFO_TYPE_RANGE) {
      const struct tl_info_range *r = (const void *)h;
      ev->has_range = 1;
      ev->offset = r->offset;
      ev->count = r->count;
    } else if (h->info_type == FAN_EVENT_INFO_TYPE_FID || h->info_type == FAN_EVENT_INFO_TYPE_DFID ||
               h->info_type == FAN_EVENT_INFO_TYPE_DFID_NAME) {
      const struct fanotify_event_info_fid *f = (const void *)h;
      const struct file_handle *fh = (const void *)f->handle;
      int fsid[2];
      memcpy(fsid, &f->fsid, sizeof fsid);
      if (h->info_type == FAN_EVENT_INFO_TYPE_FID) {
        format_key(fsid, fh, ev->obj_key, sizeof ev->obj_key);
      } else {
        format_key(fsid, fh, ev->dir_key, sizeof ev->dir_key);
        if (h->info_type == FAN_EVENT_INFO_TYPE_DFID_NAME) {
          const char *name = (const char *)fh->f_handle + fh->handle_bytes;
          snprintf(ev->name, sizeof ev->name, "%.*s", (int)(end - name), name);
        }
      }
    }
    p += h->len;
  }
  return pidfd;
}

static void describe_file(int fd, tl_event *ev) {
  char link[64];
  struct stat st;
  if (fstat(fd, &st) == 0) {
    ev->has_file = 1;
    ev->dev = st.st_dev;
    ev->ino = st.st_ino;
    ev->mode = st.st_mode;
  }
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, ev->path, sizeof ev->path - 1);
  ev->path[n > 0 ? n : 0] = '\0';
}

/*
 * Reads the blocked accessor's /proc facts for JavaScript (proc.c). A pre-access that a plain read
 * syscall of a single-threaded process waits on is answered here and never delivered: the
 * FAN_ACCESS_PERM that follows reports the read, so JavaScript would only allow it (access-kind.ts
 * classifies it 'skip'). Returns 1 when the event was answered here.
 */
static int allow_read(tl_group *g, const struct fanotify_event_metadata *m, int pidfd, int dirfd) {
  close(dirfd);
  respond(g->fd, m->fd, FAN_ALLOW);
  close(m->fd);
  if (pidfd >= 0) close(pidfd);
  pthread_mutex_lock(&g->lock);
  g->reads_allowed++;
  pthread_mutex_unlock(&g->lock);
  return 1;
}

static int read_accessor(tl_group *g, const struct fanotify_event_metadata *m, int pidfd, tl_event *ev) {
  int dirfd = tl_proc_open(m->pid);
  if (dirfd < 0) return 0;
  tl_proc *p = &ev->proc;
  int pre = (m->mask & FAN_PRE_ACCESS) != 0;
  /* Most pre-access events are reads: told by the thread count and the syscall line alone. A
   * process whose only thread waits here cannot start another meanwhile. */
  if (pre && g->links_count_threads && tl_proc_threads_by_links(dirfd) == 1 && tl_proc_read_syscall(dirfd, p) &&
      tl_proc_blocked_in_read(p))
    return allow_read(g, m, pidfd, dirfd);
  tl_proc_read_state(dirfd, (m->mask & (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM | FAN_PRE_ACCESS)) != 0, p);
  if (pre && tl_proc_blocked_in_read(p)) return allow_read(g, m, pidfd, dirfd);
  tl_proc_read_identity(dirfd, p);
  close(dirfd);
  return 0;
}

/* Returns 1 when the event went to cb, 0 when it was answered here. */
static int handle_one(tl_group *g, const struct fanotify_event_metadata *m, tl_event_cb cb, void *ctx) {
  tl_event ev;
  memset(&ev, 0, sizeof ev);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  ev.time_ms = (double)now.tv_sec * 1000.0 + (double)now.tv_nsec / 1e6;
  ev.mask = m->mask;
  ev.pid = m->pid;
  int pidfd = parse_info(m, &ev);
  int perm = (m->mask & TL_PERM_MASK) != 0 && m->fd >= 0;

  /* The agent's own accesses: answered here so they can neither deadlock nor surface. */
  if (m->pid == g->self) {
    if (perm) respond(g->fd, m->fd, FAN_ALLOW);
    if (m->fd >= 0) close(m->fd);
    if (pidfd >= 0) close(pidfd);
    return 0;
  }
  if (perm && g->kind == TL_ACCESS && read_accessor(g, m, pidfd, &ev)) return 0;
  if (m->fd >= 0) describe_file(m->fd, &ev);
  tl_exec_key key;
  int keyed = perm && g->kind == TL_ACCESS && exec_key(&ev, &key);
  if (keyed && fast_allow(g, m, &ev, &key)) {
    close(m->fd);
    if (pidfd >= 0) close(pidfd);
    ev.answered = 1;
    cb(&ev, ctx);
    return 1;
  }
  if (perm) {
    int id = park(g, m->fd, pidfd, m->pid, keyed ? &key : NULL);
    if (id == 0) { /* out of memory: never hold an accessor we cannot track */
      respond(g->fd, m->fd, FAN_ALLOW);
      close(m->fd);
      if (pidfd >= 0) close(pidfd);
    }
    ev.id = (uint32_t)id;
  } else {
    if (m->fd >= 0) close(m->fd);
    if (pidfd >= 0) close(pidfd);
  }
  cb(&ev, ctx);
  return 1;
}

int tl_group_read(tl_group *g, tl_event_cb cb, void *ctx) {
  char *buf = g->buf;
  int delivered = 0;
  for (int round = 0; round < g->reads_per_call; round++) {
    ssize_t len = read(g->fd, buf, TL_READ_BUF);
    if (len < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      return -errno;
    }
    const struct fanotify_event_metadata *m = (const void *)buf;
    for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
      if (m->vers != FANOTIFY_METADATA_VERSION) return -EPROTO;
      delivered += handle_one(g, m, cb, ctx);
    }
  }
  return delivered;
}

int tl_group_reply(tl_group *g, uint32_t id, uint32_t response, int remember) {
  pthread_mutex_lock(&g->lock);
  ssize_t i = find(g, id);
  if (i < 0) {
    pthread_mutex_unlock(&g->lock);
    return -ENOENT;
  }
  /* A signalled process was judged by a policy that acts on it: never one to let through here. */
  if (remember && response == FAN_ALLOW && g->pending[i].has_key && !g->pending[i].signalled) answered_put(g, &g->pending[i].key);
  struct fanotify_response r = {.fd = g->pending[i].fd, .response = response};
  int rc = 0;
  if (write(g->fd, &r, sizeof r) < 0 && errno != ENOENT) {
    /* The kernel refused the response (an errno it does not allow): keep the verdict, drop the
     * errno, and tell the caller which errno was refused. */
    rc = errno;
    respond(g->fd, r.fd, (response & FAN_DENY) ? FAN_DENY : FAN_ALLOW);
  }
  drop(g, (size_t)i);
  pthread_mutex_unlock(&g->lock);
  return rc;
}

int tl_group_signal(tl_group *g, uint32_t id, int sig) {
  pthread_mutex_lock(&g->lock);
  ssize_t i = find(g, id);
  if (i < 0) {
    pthread_mutex_unlock(&g->lock);
    return -ENOENT;
  }
  tl_pending *p = &g->pending[i];
  p->signalled = 1;
  /* The pidfd pins the exact process; the plain pid is safe too while it waits on us, but only
   * the pidfd stays right if another thread of it exits the group meanwhile. Sent under the
   * lock: the pidfd is closed when the event leaves the table. */
  int r = p->pidfd >= 0 ? (int)syscall(SYS_pidfd_send_signal, p->pidfd, sig, NULL, 0) : kill(p->pid, sig);
  int rc = r < 0 ? -errno : 0;
  pthread_mutex_unlock(&g->lock);
  return rc;
}

tl_group_stats tl_group_get_stats(tl_group *g) {
  pthread_mutex_lock(&g->lock);
  tl_group_stats st = {g->npending, g->expired, g->reads_allowed, g->fast_allowed};
  pthread_mutex_unlock(&g->lock);
  return st;
}

size_t tl_group_expire(tl_group *g, uint64_t now_ms) {
  size_t n = 0;
  pthread_mutex_lock(&g->lock);
  for (size_t i = 0; i < g->npending;) {
    if (g->pending[i].deadline_ms <= now_ms) {
      respond(g->fd, g->pending[i].fd, FAN_ALLOW);
      drop(g, i);
      n++;
    } else {
      i++;
    }
  }
  g->expired += n;
  pthread_mutex_unlock(&g->lock);
  return n;
}

void tl_group_close(tl_group *g) {
  if (g->fd < 0) return;
  while (g->npending) {
    respond(g->fd, g->pending[0].fd, FAN_ALLOW);
    drop(g, 0);
  }
  free(g->pending);
  g->pending = NULL;
  free(g->answered);
  g->answered = NULL;
  free(g->buf);
  g->buf = NULL;
  g->cap = 0;
  close(g->fd);
  g->fd = -1;
  pthread_mutex_destroy(&g->lock);
}
