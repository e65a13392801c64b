/*
 * Why a thread: the accessor of a decoy waits for its event to be answered, and an event the
 * addon answers by itself (a plain read's pre-access, a remembered execution's repeat) used to
 * wait in the kernel's queue until JavaScript's thread came back to the fd: behind a garbage
 * collection, the handling of the previous batch, timers. Read here, it is answered as soon as
 * it is queued, whatever JavaScript is doing; JavaScript still sees every event, in kernel order.
 */
#define _GNU_SOURCE
#include "reader.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

/* Events queued for JavaScript before the thread stops reading: the rest stay in the kernel
 * (whose queue is unlimited) until JavaScript takes the queue. One read of the fd can go past
 * it by what 64 KiB of metadata holds. */
#define TL_QUEUE_MAX 4096

/*
 * The thread's scheduling: SCHED_FIFO at the lowest real-time priority, else nice -10. On two
 * busy cores a thread of the normal class waited its turn behind the agent's own JavaScript and
 * output threads and the server, and the accessor with it: bench/accessor-cost, alternating
 * runs, decoy p99 (a process's later accesses) 1.2-1.7 ms at nice -10 (1.8-3.3 ms at 0) against
 * 0.65-0.88 ms at SCHED_FIFO 1, where the bare C listener's own p99 was 0.4-1.3 ms. Real-time
 * cannot starve the machine here: the thread sleeps in poll() unless an accessor waits on it,
 * each event is a bounded amount of work (no read that a process can make slow: stat, syscall,
 * two stat() calls), it stops reading once JavaScript is TL_QUEUE_MAX events behind, and the
 * kernel's real-time throttling (sched_rt_runtime_us) caps the class anyway. Needs CAP_SYS_NICE
 * and, in a cgroup with a real-time budget of 0, is refused: then nice -10, and without
 * CAP_SYS_NICE the default.
 */
#define TL_READER_RT_PRIORITY 1
#define TL_READER_NICE (-10)

/* tl_event's strings, in the order they lie in the struct. */
static const struct {
  size_t off, cap;
} strings[] = {
    {offsetof(tl_event, path), sizeof(((tl_event *)0)->path)},
    {offsetof(tl_event, dir_key), sizeof(((tl_event *)0)->dir_key)},
    {offsetof(tl_event, name), sizeof(((tl_event *)0)->name)},
    {offsetof(tl_event, obj_key), sizeof(((tl_event *)0)->obj_key)},
    {offsetof(tl_event, proc) + offsetof(tl_proc, stat), sizeof(((tl_proc *)0)->stat)},
    {offsetof(tl_event, proc) + offsetof(tl_proc, syscall), sizeof(((tl_proc *)0)->syscall)},
};
#define NSTRINGS (sizeof strings / sizeof strings[0])

/* The bytes between the strings verbatim, each string up to and with its terminator. */
static tl_queued *pack(const tl_event *ev) {
  const char *src = (const char *)ev;
  size_t lens[NSTRINGS], total = sizeof *ev;
  for (size_t i = 0; i < NSTRINGS; i++) {
    lens[i] = strnlen(src + strings[i].off, strings[i].cap - 1);
    total -= strings[i].cap - (lens[i] + 1);
  }
  tl_queued *q = malloc(sizeof *q + total);
  if (!q) return NULL;
  q->next = NULL;
  char *out = q->data;
  size_t pos = 0;
  for (size_t i = 0; i < NSTRINGS; i++) {
    memcpy(out, src + pos, strings[i].off - pos);
    out += strings[i].off - pos;
    memcpy(out, src + strings[i].off, lens[i]);
    out[lens[i]] = '\0';
    out += lens[i] + 1;
    pos = strings[i].off + strings[i].cap;
  }
  memcpy(out, src + pos, sizeof *ev - pos);
  return q;
}

void tl_queued_unpack(const tl_queued *q, tl_event *ev) {
  char *dst = (char *)ev;
  const char *in = q->data;
  size_t pos = 0;
  for (size_t i = 0; i < NSTRINGS; i++) {
    memcpy(dst + pos, in, strings[i].off - pos);
    in += strings[i].off - pos;
    size_t len = strlen(in);
    memcpy(dst + strings[i].off, in, len + 1);
    in += len + 1;
    pos = strings[i].off + strings[i].cap;
  }
  memcpy(dst + pos, in, sizeof *ev - pos);
}

void tl_queued_free(tl_queued *q) {
  while (q) {
    tl_queued *next = q->next;
    free(q);
    q = next;
  }
}

static void enqueue(const tl_event *ev, void *ctx) {
  tl_reader *r = ctx;
  /* Out of memory the event is not reported; a permission event it carried stays pending and
   * the timeout allows it, so no accessor is held for good. */
  tl_queued *q = pack(ev);
  if (!q) return;
  pthread_mutex_lock(&r->lock);
  if (r->tail)
    r->tail->next = q;
  else
    r->head = q;
  r->tail = q;
  r->count++;
  pthread_mutex_unlock(&r->lock);
}

static void *reader_main(void *arg) {
  tl_reader *r = arg;
  struct sched_param rt = {.sched_priority = TL_READER_RT_PRIORITY};
  if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &rt) != 0) (void)setpriority(PRIO_PROCESS, (id_t)gettid(), TL_READER_NICE);
  struct pollfd p[2] = {{.fd = r->g->fd, .events = POLLIN}, {.fd = r->wake_fd, .events = POLLIN}};
  int err = 0;
  for (;;) {
    pthread_mutex_lock(&r->lock);
    int stop = r->stop;
    r->full = r->count >= TL_QUEUE_MAX;
    p[0].events = r->full ? 0 : POLLIN;
    pthread_mutex_unlock(&r->lock);
    if (stop) break;
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    if (p[1].revents & POLLIN) {
      uint64_t v;
      (void)!read(r->wake_fd, &v, sizeof v);
    }
    if (p[0].revents & (POLLERR | POLLNVAL)) {
      err = EIO;
      break;
    }
    if (!(p[0].revents & POLLIN)) continue;
    int n = tl_group_read(r->g, enqueue, r);
    if (n < 0) {
      err = -n;
      break;
    }
    if (n > 0) uv_async_send(r->notify);
  }
  if (err) {
    /* JavaScript hears why after the events queued before it; the thread reads no more. */
    pthread_mutex_lock(&r->lock);
    r->err = err;
    pthread_mutex_unlock(&r->lock);
    uv_async_send(r->notify);
  }
  return NULL;
}

void tl_reader_init(tl_reader *r) {
  memset(r, 0, sizeof *r);
  r->wake_fd = -1;
  pthread_mutex_init(&r->lock, NULL);
}

static void wake(tl_reader *r) {
  uint64_t one = 1;
  (void)!write(r->wake_fd, &one, sizeof one);
}

int tl_reader_start(tl_reader *r, tl_group *g, uv_async_t *notify) {
  r->g = g;
  r->notify = notify;
  /* One read per wakeup keeps how far the queue can pass its bound to one buffer's worth. */
  g->reads_per_call = 1;
  r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (r->wake_fd < 0) return errno;
  /* Signals stay with Node's threads: the reader starts with all of them blocked. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int rc = pthread_create(&r->thread, NULL, reader_main, r);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc) return rc;
  r->started = 1;
  return 0;
}

tl_queued *tl_reader_take(tl_reader *r, int *err) {
  pthread_mutex_lock(&r->lock);
  tl_queued *q = r->head;
  r->head = r->tail = NULL;
  r->count = 0;
  *err = r->err;
  r->err = 0;
  int resume = r->full;
  r->full = 0;
  pthread_mutex_unlock(&r->lock);
  if (resume) wake(r);
  return q;
}

void tl_reader_stop(tl_reader *r) {
  if (r->started) {
    pthread_mutex_lock(&r->lock);
    r->stop = 1;
    pthread_mutex_unlock(&r->lock);
    wake(r);
    pthread_join(r->thread, NULL);
    r->started = 0;
  }
  pthread_mutex_lock(&r->lock);
  tl_queued_free(r->head);
  r->head = r->tail = NULL;
  r->count = 0;
  pthread_mutex_unlock(&r->lock);
  if (r->wake_fd >= 0) close(r->wake_fd);
  r->wake_fd = -1;
}
