/*
 * The accessor: open + pread + close of a file, timed inside the process. One line per access:
 * "<CLOCK_REALTIME ns just before open> <ns the access took>". With COUNT "-" it makes one access
 * per line read on stdin (so a driver can pace it); with "fresh N" it starts N new processes of
 * itself one after the other, each making one access (a fresh process's first access, without
 * the cost of a large parent forking); otherwise COUNT accesses back to back.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static long long ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int once(const char *path) {
  char buf[4096];
  long long wall = ns(CLOCK_REALTIME);
  long long start = ns(CLOCK_MONOTONIC);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  close(fd);
  long long took = ns(CLOCK_MONOTONIC) - start;
  if (n < 0) return -1;
  printf("%lld %lld\n", wall, took);
  return 0;
}

static int fresh(const char *path, long count) {
  for (long i = 0; i < count; i++) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return perror("fork"), 1;
    if (pid == 0) {
      execl("/proc/self/exe", "access", path, "1", (char *)NULL);
      _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return fprintf(stderr, "a fresh accessor failed\n"), 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[2], "fresh") == 0) return fresh(argv[1], strtol(argv[3], NULL, 10));
  if (argc != 3) {
    fprintf(stderr, "usage: access PATH COUNT|-|fresh N\n");
    return 2;
  }
  if (strcmp(argv[2], "-") == 0) {
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
      if (once(argv[1]) < 0) return perror(argv[1]), 1;
      fflush(stdout);
    }
    return 0;
  }
  long count = strtol(argv[2], NULL, 10);
  for (long i = 0; i < count; i++)
    if (once(argv[1]) < 0) return perror(argv[1]), 1;
  return 0;
}
