/*
 * The kernel round trip with no agent logic: a fanotify group of the agent's class and flags,
 * the agent's permission events on one file's inode, and every event allowed the moment it is
 * read. What an access to a watched file costs at the least; the agent's figure is compared to it.
 * Prints "ready" once the mark is in place; runs until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/fanotify.h>
#include <unistd.h>

#ifndef FAN_PRE_ACCESS
#define FAN_PRE_ACCESS 0x00100000
#endif
#ifndef FAN_REPORT_PIDFD
#define FAN_REPORT_PIDFD 0x00000080
#endif

int main(int argc, char **argv) {
  if (argc != 2) return fprintf(stderr, "usage: kernel-reader PATH\n"), 2;
  const unsigned base = FAN_CLOEXEC | FAN_UNLIMITED_QUEUE | FAN_UNLIMITED_MARKS | FAN_REPORT_PIDFD;
  unsigned long long mask = FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_PRE_ACCESS;
  int group = fanotify_init(base | FAN_CLASS_PRE_CONTENT, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (group < 0 && errno == EINVAL) group = fanotify_init(base | FAN_CLASS_CONTENT, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (group < 0) return perror("fanotify_init"), 1;
  if (fanotify_mark(group, FAN_MARK_ADD, mask, AT_FDCWD, argv[1]) < 0) {
    mask &= ~(unsigned long long)FAN_PRE_ACCESS;
    if (fanotify_mark(group, FAN_MARK_ADD, mask, AT_FDCWD, argv[1]) < 0) return perror("fanotify_mark"), 1;
  }
  printf("ready\n");
  fflush(stdout);
  static char buf[64 * 1024];
  for (;;) {
    ssize_t len = read(group, buf, sizeof buf);
    if (len < 0) {
      if (errno == EINTR) continue;
      return perror("read"), 1;
    }
    struct fanotify_event_metadata *ev = (struct fanotify_event_metadata *)buf;
    for (; FAN_EVENT_OK(ev, len); ev = FAN_EVENT_NEXT(ev, len)) {
      if (ev->mask & (FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_PRE_ACCESS)) {
        struct fanotify_response r = {.fd = ev->fd, .response = FAN_ALLOW};
        (void)!write(group, &r, sizeof r);
      }
      if (ev->fd >= 0) close(ev->fd);
      /* The pidfd info record, when present, carries a descriptor of its own. */
      struct fanotify_event_info_header *info = (struct fanotify_event_info_header *)(ev + 1);
      char *end = (char *)ev + ev->event_len;
      while ((char *)info + sizeof *info <= end && info->len > 0) {
        if (info->info_type == FAN_EVENT_INFO_TYPE_PIDFD) close(((struct fanotify_event_info_pidfd *)info)->pidfd);
        info = (struct fanotify_event_info_header *)((char *)info + info->len);
      }
    }
  }
}
