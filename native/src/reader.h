/*
 * The access group's reader thread: blocks in poll() on the fanotify fd, reads and answers
 * events through group.c (which answers by itself what needs no JavaScript), and queues every
 * event JavaScript must see for the loop's thread, which it wakes with a uv_async. No N-API here.
 */
#ifndef TRIPLINE_READER_H
#define TRIPLINE_READER_H

#include <pthread.h>
#include <stddef.h>
#include <uv.h>

#include "group.h"

/* One queued event: tl_event with its strings stored at their length (tl_event holds PATH_MAX
 * and more in fixed arrays; a queued read is a few hundred bytes). */
typedef struct tl_queued {
  struct tl_queued *next;
  char data[];
} tl_queued;

typedef struct tl_reader {
  int started;
  pthread_t thread;
  int wake_fd; /* eventfd: stop, or the queue has room again */
  tl_group *g;
  uv_async_t *notify;
  pthread_mutex_t lock; /* guards the fields below */
  tl_queued *head, *tail;
  size_t count;
  int full; /* the thread stopped reading until the queue is taken */
  int stop;
  int err; /* errno the thread stopped on, until taken */
} tl_reader;

void tl_reader_init(tl_reader *r);
/* Returns 0 or an errno. */
int tl_reader_start(tl_reader *r, tl_group *g, uv_async_t *notify);
/* Everything queued, oldest first (free with tl_queued_free), and the errno the thread stopped
 * on (0 when it runs). */
tl_queued *tl_reader_take(tl_reader *r, int *err);
void tl_queued_unpack(const tl_queued *q, tl_event *ev);
void tl_queued_free(tl_queued *q);
/* Stops and joins the thread, frees what is still queued. Safe to call twice, and unstarted. */
void tl_reader_stop(tl_reader *r);

#endif
