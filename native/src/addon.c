/*
 * N-API binding for group.c. The access group is read by a thread of the addon's own (reader.c),
 * which answers in C what group.c answers by itself as soon as the kernel queues it, and hands
 * every event JavaScript must see to the loop through a uv_async; the tamper group is watched
 * with uv_poll on the loop itself. A uv_timer on the loop answers permission events that
 * JavaScript leaves unanswered for longer than the timeout.
 *
 * open(kind, timeoutMs, onEvents) -> handle      onEvents(events[], errno) per readable batch
 * mark(handle, flags, mask, dirfd, path|null)   throws with code E... on failure
 * reply(handle, id, response, remember?) -> 0 | -ENOENT | refused errno
 * forget(handle)                                 drops what reply's `remember` kept
 * signal(handle, id, sig) -> 0 | -errno
 * stats(handle) -> { pending, expired, readsAllowed, fastAllowed, initFlags }
 * close(handle)
 * fidKey(fd) -> string                           same key format as events' dir/obj
 */
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "group.h"
#include "reader.h"

typedef struct sensor {
  tl_group g;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  /* The first uv handle: uv_poll on the fd (tamper), or the reader's wakeup (access, threaded). */
  int threaded;
  uv_poll_t poll;
  uv_async_t wakeup;
  uv_timer_t timer;
  tl_reader reader;
  int live_handles; /* uv handles not yet through uv_close */
  int closed, finalized;
  napi_value batch;
  uint32_t batch_len;
  tl_event *scratch; /* a queued event unpacked for push_event (threaded only) */
} sensor;

static uv_handle_t *first_handle(sensor *s) {
  return s->threaded ? (uv_handle_t *)&s->wakeup : (uv_handle_t *)&s->poll;
}

#define CHECK(call)                                   \
  do {                                                \
    if ((call) != napi_ok) return throw_last(env);    \
  } while (0)

static napi_value throw_last(napi_env env) {
  const napi_extended_error_info *info;
  bool pending;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    napi_get_last_error_info(env, &info);
    napi_throw_error(env, NULL, info->error_message ? info->error_message : "N-API call failed");
  }
  return NULL;
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  const char *code = strerrorname_np(err);
  napi_throw_error(env, code ? code : "EUNKNOWN", msg);
  return NULL;
}

static void maybe_free(sensor *s) {
  if (s->finalized && s->live_handles == 0) free(s);
}

static void on_handle_closed(uv_handle_t *h) {
  sensor *s = h->data;
  s->live_handles--;
  maybe_free(s);
}

static void shutdown_sensor(sensor *s) {
  if (s->closed) return;
  s->closed = 1;
  /* The reader thread is joined before the group closes under it; what it queued is freed
   * (its permission events are in the pending table, which the close allows). */
  tl_reader_stop(&s->reader);
  tl_group_close(&s->g); /* allows everything still pending */
  free(s->scratch);
  s->scratch = NULL;
  if (s->live_handles) {
    /* Both stops always return 0 in libuv; uv_close reports through on_handle_closed. */
    if (!s->threaded) uv_poll_stop(&s->poll);
    uv_timer_stop(&s->timer);
    uv_close(first_handle(s), on_handle_closed);
    uv_close((uv_handle_t *)&s->timer, on_handle_closed);
  }
  if (s->callback) napi_delete_reference(s->env, s->callback);
  if (s->async) napi_async_destroy(s->env, s->async);
  s->callback = NULL;
  s->async = NULL;
}

static void env_cleanup(void *arg) {
  shutdown_sensor(arg);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sensor *s = data;
  if (!s->closed) napi_remove_env_cleanup_hook(s->env, env_cleanup, s);
  shutdown_sensor(s);
  s->finalized = 1;
  maybe_free(s);
}

static void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, key, n);
}

/*
 * An event's properties, set in one napi_define_properties: one call (and one exception scope)
 * per event rather than per property: 4-6 µs for an access event instead of 7-9 (measured).
 */
#define TL_PROPS_MAX 24
typedef struct props {
  napi_env env;
  size_t n;
  napi_property_descriptor d[TL_PROPS_MAX];
} props;

static void put(props *b, const char *key, napi_value v) {
  if (b->n < TL_PROPS_MAX) b->d[b->n++] = (napi_property_descriptor){key, NULL, NULL, NULL, NULL, v, napi_default_jsproperty, NULL};
}

static void put_num(props *b, const char *key, double v) {
  napi_value n;
  if (napi_create_double(b->env, v, &n) == napi_ok) put(b, key, n);
}

static void put_str(props *b, const char *key, const char *v) {
  napi_value str;
  if (napi_create_string_utf8(b->env, v, NAPI_AUTO_LENGTH, &str) == napi_ok) put(b, key, str);
}

/* /proc text as bytes, as proc-read.ts reads it (a command name need not be UTF-8). */
static void put_latin1(props *b, const char *key, const char *v) {
  napi_value str;
  if (napi_create_string_latin1(b->env, v, NAPI_AUTO_LENGTH, &str) == napi_ok) put(b, key, str);
}

static void push_event(const tl_event *ev, void *ctx) {
  sensor *s = ctx;
  napi_env env = s->env;
  napi_value o;
  if (napi_create_object(env, &o) != napi_ok) return;
  props b = {.env = env, .n = 0};
  put_num(&b, "timeMs", ev->time_ms);
  put_num(&b, "mask", (double)ev->mask);
  put_num(&b, "pid", ev->pid);
  put_num(&b, "id", ev->id);
  if (ev->answered) {
    napi_value t;
    if (napi_get_boolean(env, true, &t) == napi_ok) put(&b, "answered", t);
  }
  if (ev->has_file) {
    put_str(&b, "path", ev->path);
    put_num(&b, "dev", (double)ev->dev);
    put_num(&b, "ino", (double)ev->ino);
    put_num(&b, "mode", ev->mode);
  }
  if (ev->has_range) {
    put_num(&b, "offset", (double)ev->offset);
    put_num(&b, "count", (double)ev->count);
  }
  if (ev->dir_key[0]) put_str(&b, "dir", ev->dir_key);
  if (ev->name[0]) put_str(&b, "name", ev->name);
  if (ev->obj_key[0]) put_str(&b, "obj", ev->obj_key);
  const tl_proc *p = &ev->proc;
  if (p->has_stat) put_latin1(&b, "stat", p->stat);
  if (p->has_syscall) put_latin1(&b, "syscall", p->syscall);
  if (p->has_exe) {
    put_num(&b, "exeDev", (double)p->exe_dev);
    put_num(&b, "exeIno", (double)p->exe_ino);
  }
  if (p->has_owner) {
    put_num(&b, "ownerUid", p->owner_uid);
    put_num(&b, "ownerGid", p->owner_gid);
  }
  if (p->has_parent_exe) {
    put_num(&b, "parentExeDev", (double)p->parent_exe_dev);
    put_num(&b, "parentExeIno", (double)p->parent_exe_ino);
  }
  napi_define_properties(env, o, b.n, b.d);
  napi_set_element(env, s->batch, s->batch_len++, o);
}

/* Calls onEvents with the batch push_event filled, when there is anything to say. */
static void deliver(sensor *s, int err) {
  napi_env env = s->env;
  if (s->batch_len > 0 || err) {
    napi_value cb, recv, argv[2], result;
    napi_get_reference_value(env, s->callback, &cb);
    napi_get_global(env, &recv); /* napi_make_callback wants an object receiver */
    argv[0] = s->batch;
    napi_create_int32(env, err, &argv[1]);
    if (napi_make_callback(env, s->async, recv, cb, 2, argv, &result) == napi_pending_exception) {
      napi_value exc;
      napi_get_and_clear_last_exception(env, &exc);
      napi_fatal_exception(env, exc);
    }
  }
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  sensor *s = h->data;
  napi_env env = s->env;
  if (s->closed) return;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_create_array(env, &s->batch);
  s->batch_len = 0;
  int n = status < 0 ? -EIO : tl_group_read(&s->g, push_event, s);
  int err = n < 0 ? -n : 0;
  if (err) uv_poll_stop(&s->poll); /* a broken fd would spin; JavaScript hears why */
  deliver(s, err);
  napi_close_handle_scope(env, scope);
}

/* The reader thread queued events (or stopped on an error): all of them, in kernel order. */
static void on_wakeup(uv_async_t *h) {
  sensor *s = h->data;
  napi_env env = s->env;
  if (s->closed) return;
  int err = 0;
  tl_queued *q = tl_reader_take(&s->reader, &err);
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) {
    tl_queued_free(q);
    return;
  }
  napi_create_array(env, &s->batch);
  s->batch_len = 0;
  for (tl_queued *e = q; e; e = e->next) {
    tl_queued_unpack(e, s->scratch);
    push_event(s->scratch, s);
  }
  tl_queued_free(q);
  /* The thread has stopped: like a stopped uv_poll, the sensor no longer keeps the loop alive. */
  if (err) uv_unref((uv_handle_t *)&s->wakeup);
  deliver(s, err);
  napi_close_handle_scope(env, scope);
}

static void on_timer(uv_timer_t *t) {
  sensor *s = t->data;
  if (!s->closed) tl_group_expire(&s->g, tl_now_ms());
}

static sensor *unwrap(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_unwrap(env, v, &p) != napi_ok || !p) {
    napi_throw_type_error(env, NULL, "not a sensor handle");
    return NULL;
  }
  sensor *s = p;
  if (s->closed) {
    napi_throw_error(env, "ECLOSED", "sensor is closed");
    return NULL;
  }
  return s;
}

/*
 * Undoes a js_open that failed part way, then throws. The fanotify fd is closed, the N-API
 * reference and async context released; uv handles already initialised must go through uv_close
 * before their memory may go, so the last close callback frees the sensor (finalized is set, as
 * nothing will wrap it). err is an errno, or 0 when the N-API call named by what failed.
 */
static napi_value open_failed(napi_env env, sensor *s, const char *what, int err) {
  bool pending = false;
  if (err) {
    throw_errno(env, what, err);
  } else if (napi_is_exception_pending(env, &pending) == napi_ok && !pending) {
    char msg[128];
    snprintf(msg, sizeof msg, "open: %s failed", what);
    napi_throw_error(env, "ENAPI", msg);
  }
  tl_reader_stop(&s->reader);
  tl_group_close(&s->g);
  free(s->scratch);
  s->scratch = NULL;
  if (s->callback) napi_delete_reference(env, s->callback);
  if (s->async) napi_async_destroy(env, s->async);
  s->callback = NULL;
  s->async = NULL;
  s->closed = 1;
  s->finalized = 1;
  int handles = s->live_handles;
  if (handles == 0) free(s);
  if (handles >= 1) uv_close(first_handle(s), on_handle_closed);
  if (handles >= 2) uv_close((uv_handle_t *)&s->timer, on_handle_closed);
  return NULL;
}

#define OPEN_CHECK(what, call)                                  \
  do {                                                          \
    if ((call) != napi_ok) return open_failed(env, s, what, 0); \
  } while (0)

#define OPEN_UV(what, call)                               \
  do {                                                    \
    int uv_rc_ = (call);                                  \
    if (uv_rc_ < 0) return open_failed(env, s, what, -uv_rc_); \
  } while (0)

static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], obj, name;
  int32_t kind;
  double timeout;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "open(kind, timeoutMs, onEvents)");
    return NULL;
  }
  CHECK(napi_get_value_int32(env, argv[0], &kind));
  CHECK(napi_get_value_double(env, argv[1], &timeout));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));

  sensor *s = calloc(1, sizeof *s);
  if (!s) return throw_errno(env, "open", ENOMEM);
  int rc = tl_group_open(&s->g, kind == TL_TAMPER ? TL_TAMPER : TL_ACCESS, (uint64_t)timeout);
  if (rc < 0) {
    free(s);
    return throw_errno(env, "fanotify_init", -rc);
  }
  s->env = env;
  s->threaded = s->g.kind == TL_ACCESS;
  tl_reader_init(&s->reader);
  if (s->threaded && !(s->scratch = malloc(sizeof *s->scratch))) return open_failed(env, s, "open", ENOMEM);
  OPEN_CHECK("creating the handle", napi_create_object(env, &obj));
  /* Fails for anything but an object or function: the way a wrong onEvents is refused. */
  OPEN_CHECK("keeping onEvents (a function)", napi_create_reference(env, argv[2], 1, &s->callback));
  OPEN_CHECK("naming the async context", napi_create_string_utf8(env, "tripline:fanotify", NAPI_AUTO_LENGTH, &name));
  OPEN_CHECK("creating the async context", napi_async_init(env, obj, name, &s->async));

  s->poll.data = s->wakeup.data = s->timer.data = s;
  /* live_handles counts initialised handles in order (poll or wakeup, then timer): open_failed
   * relies on it. */
  if (s->threaded)
    OPEN_UV("uv_async_init", uv_async_init(loop, &s->wakeup, on_wakeup));
  else
    OPEN_UV("uv_poll_init", uv_poll_init(loop, &s->poll, s->g.fd));
  s->live_handles = 1;
  OPEN_UV("uv_timer_init", uv_timer_init(loop, &s->timer));
  s->live_handles = 2;
  if (!s->threaded) OPEN_UV("uv_poll_start", uv_poll_start(&s->poll, UV_READABLE, on_readable));
  /* A quarter of the timeout keeps the overshoot small; the timer alone never keeps the process up. */
  uint64_t tick = (uint64_t)timeout / 4 > 10 ? (uint64_t)timeout / 4 : 10;
  OPEN_UV("uv_timer_start", uv_timer_start(&s->timer, on_timer, tick, tick));
  uv_unref((uv_handle_t *)&s->timer);

  /* Started last before the wrap: open_failed stops (joins) it like everything else. */
  if (s->threaded) {
    int err = tl_reader_start(&s->reader, &s->g, &s->wakeup);
    if (err) return open_failed(env, s, "starting the reader thread", err);
  }
  OPEN_CHECK("wrapping the handle", napi_wrap(env, obj, s, finalize, NULL, NULL));
  /* Wrapped: from here the finalizer owns the memory, so a failure only shuts the sensor down. */
  if (napi_add_env_cleanup_hook(env, env_cleanup, s) != napi_ok) {
    napi_value thrown = throw_last(env); /* before shutdown's N-API calls replace the error */
    shutdown_sensor(s);
    return thrown;
  }
  return obj;
}

static napi_value js_mark(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  uint32_t flags;
  double mask;
  int32_t dirfd;
  char path[PATH_MAX];
  napi_valuetype t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sensor *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  CHECK(napi_get_value_uint32(env, argv[1], &flags));
  CHECK(napi_get_value_double(env, argv[2], &mask));
  CHECK(napi_get_value_int32(env, argv[3], &dirfd));
  CHECK(napi_typeof(env, argv[4], &t));
  if (t == napi_string) CHECK(napi_get_value_string_utf8(env, argv[4], path, sizeof path, NULL));
  int rc = tl_group_mark(&s->g, flags, (uint64_t)mask, dirfd, t == napi_string ? path : NULL);
  return rc < 0 ? throw_errno(env, "fanotify_mark", -rc) : NULL;
}

/* (handle, id, value) -> int from group.c */
typedef int (*id_op)(tl_group *g, uint32_t id, uint32_t value);

static int op_signal(tl_group *g, uint32_t id, uint32_t sig) {
  return tl_group_signal(g, id, (int)sig);
}

static napi_value call_with_id(napi_env env, napi_callback_info info, id_op op) {
  size_t argc = 3;
  napi_value argv[3], out;
  uint32_t id, value;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sensor *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  CHECK(napi_get_value_uint32(env, argv[1], &id));
  CHECK(napi_get_value_uint32(env, argv[2], &value));
  CHECK(napi_create_int32(env, op(&s->g, id, value), &out));
  return out;
}

static napi_value js_reply(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], out;
  uint32_t id, response;
  bool remember = false;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sensor *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  CHECK(napi_get_value_uint32(env, argv[1], &id));
  CHECK(napi_get_value_uint32(env, argv[2], &response));
  if (argc >= 4) CHECK(napi_get_value_bool(env, argv[3], &remember));
  CHECK(napi_create_int32(env, tl_group_reply(&s->g, id, response, remember), &out));
  return out;
}

static napi_value js_forget(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sensor *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  tl_group_forget(&s->g);
  return NULL;
}

static napi_value js_signal(napi_env env, napi_callback_info info) {
  return call_with_id(env, info, op_signal);
}

static napi_value js_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  sensor *s = unwrap(env, argv[0]);
  if (!s) return NULL;
  CHECK(napi_create_object(env, &out));
  tl_group_stats st = tl_group_get_stats(&s->g);
  set_num(env, out, "pending", (double)st.pending);
  set_num(env, out, "expired", (double)st.expired);
  set_num(env, out, "readsAllowed", (double)st.reads_allowed);
  set_num(env, out, "fastAllowed", (double)st.fast_allowed);
  set_num(env, out, "initFlags", s->g.init_flags);
  return out;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *p = NULL;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (napi_unwrap(env, argv[0], &p) == napi_ok && p && !((sensor *)p)->closed) {
    napi_remove_env_cleanup_hook(env, env_cleanup, p);
    shutdown_sensor(p);
  }
  return NULL;
}

static napi_value js_fid_key(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  int32_t fd;
  char key[TL_KEY_MAX];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  int rc = tl_fid_key(fd, key, sizeof key);
  if (rc < 0) return throw_errno(env, "name_to_handle_at", -rc);
  CHECK(napi_create_string_utf8(env, key, NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mark", NULL, js_mark, NULL, NULL, NULL, napi_enumerable, NULL},
      {"reply", NULL, js_reply, NULL, NULL, NULL, napi_enumerable, NULL},
      {"forget", NULL, js_forget, NULL, NULL, NULL, napi_enumerable, NULL},
      {"signal", NULL, js_signal, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fidKey", NULL, js_fid_key, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
