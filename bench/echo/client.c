/*
 * The echo load client: N connections over one epoll, each in strict
 * ping-pong (send S bytes, wait until all S bytes came back, repeat).
 *
 *   client -p PORT [-c CONNS] [-s SIZE] [-t SECONDS] [-w WARMUP] [-P SERVER_PID]
 *     Runs WARMUP seconds unmeasured, then SECONDS measured, and prints one
 *     JSON line: messages/s, MB/s (echoed bytes, 1e6), p50/p99 round trip in
 *     microseconds, errors, and with -P the server's CPU seconds
 *     (utime+stime of /proc/PID/stat) over the measured window.
 *
 *   client -p PORT -i COUNT
 *     Idle mode: opens COUNT connections one after the other, sends one byte
 *     on each and waits for its echo (so the server has accepted and read
 *     it), prints "IDLE COUNT" and keeps them open until stdin closes.
 *
 * Loopback only: it connects to 127.0.0.1. Bounded in time: the measured
 * run ends after WARMUP + SECONDS whatever the server does, and every wait
 * has a timeout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd;
  size_t sent, recvd;
  uint64_t t0;
  int dead;
};

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* utime + stime of a process in seconds, or -1. */
static double proc_cpu(int pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  /* The command name may hold spaces: fields count from the last ')'. */
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  p += 2; /* field 3 (state) */
  unsigned long long ut = 0, st = 0;
  /* fields 3..13 skipped, 14 utime, 15 stime */
  for (int field = 3; field < 14; field++) {
    p = strchr(p, ' ');
    if (!p) return -1;
    p++;
  }
  if (sscanf(p, "%llu %llu", &ut, &st) != 2) return -1;
  return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static int connect_one(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static void raise_nofile(void) {
  struct rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static int idle_mode(int port, int count) {
  raise_nofile();
  int *fds = calloc((size_t)count, sizeof(int));
  char b = 'x';
  for (int i = 0; i < count; i++) {
    fds[i] = connect_one(port);
    if (fds[i] < 0) {
      fprintf(stderr, "client: connect %d failed: %s\n", i, strerror(errno));
      return 1;
    }
    struct pollfd p = {fds[i], POLLIN, 0};
    if (send(fds[i], &b, 1, MSG_NOSIGNAL) != 1 || poll(&p, 1, 5000) != 1 ||
        recv(fds[i], &b, 1, 0) != 1) {
      fprintf(stderr, "client: no echo on connection %d\n", i);
      return 1;
    }
  }
  printf("IDLE %d\n", count);
  fflush(stdout);
  /* Hold until the runner closes our stdin (at most 10 minutes). */
  struct pollfd in = {0, POLLIN, 0};
  poll(&in, 1, 600000);
  for (int i = 0; i < count; i++) close(fds[i]);
  free(fds);
  return 0;
}

int main(int argc, char **argv) {
  int port = 0, nconn = 10, pid = 0, idle = 0;
  size_t size = 1024;
  double seconds = 5, warmup = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *o = argv[i], *v = argv[i + 1];
    if (!strcmp(o, "-p")) port = atoi(v);
    else if (!strcmp(o, "-c")) nconn = atoi(v);
    else if (!strcmp(o, "-s")) size = (size_t)atol(v);
    else if (!strcmp(o, "-t")) seconds = atof(v);
    else if (!strcmp(o, "-w")) warmup = atof(v);
    else if (!strcmp(o, "-P")) pid = atoi(v);
    else if (!strcmp(o, "-i")) idle = atoi(v);
    else {
      fprintf(stderr, "client: unknown option %s\n", o);
      return 2;
    }
  }
  if (port <= 0 || port > 65535) {
    fprintf(stderr, "usage: client -p PORT [-c CONNS] [-s SIZE] [-t S] [-w S] [-P PID] | -p PORT -i COUNT\n");
    return 2;
  }
  if (idle > 0) return idle_mode(port, idle);
  if (nconn < 1 || size < 1 || seconds <= 0 || warmup < 0) {
    fprintf(stderr, "client: bad arguments\n");
    return 2;
  }

  unsigned char *out = malloc(size), *in = malloc(size > 65536 ? size : 65536);
  for (size_t i = 0; i < size; i++) out[i] = (unsigned char)(i * 7 + 1);
  struct conn *cs = calloc((size_t)nconn, sizeof *cs);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  long errors = 0;
  for (int i = 0; i < nconn; i++) {
    int fd = connect_one(port);
    if (fd < 0) {
      fprintf(stderr, "client: connect failed: %s\n", strerror(errno));
      return 1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    cs[i].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  }

  /* Round trips of the measured window, in ns (capped at 4.29 s). */
  size_t cap = 1 << 20, nlat = 0;
  uint32_t *lat = malloc(cap * sizeof *lat);
  uint64_t start = now_ns();
  uint64_t measure_from = start + (uint64_t)(warmup * 1e9);
  uint64_t end = measure_from + (uint64_t)(seconds * 1e9);
  int measuring = warmup == 0;
  double cpu0 = pid && measuring ? proc_cpu(pid) : 0;
  uint64_t t_measure = measuring ? start : 0;
  uint64_t msgs = 0;

  /* Kick off: every connection sends its first message. */
  for (int i = 0; i < nconn; i++) cs[i].t0 = now_ns();
  struct epoll_event evs[256];
  int alive = nconn;
  for (int i = 0; i < nconn; i++) {
    struct conn *c = &cs[i];
    ssize_t n = send(c->fd, out, size, MSG_NOSIGNAL);
    if (n > 0) c->sent = (size_t)n;
    if (c->sent < size) {
      struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i};
      epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    }
  }
  for (;;) {
    uint64_t t = now_ns();
    if (!measuring && t >= measure_from) {
      measuring = 1;
      t_measure = t;
      if (pid) cpu0 = proc_cpu(pid);
    }
    if (t >= end || alive == 0) break;
    int wait_ms = (int)((end - t) / 1000000) + 1;
    if (!measuring) wait_ms = (int)((measure_from - t) / 1000000) + 1;
    int n = epoll_wait(ep, evs, 256, wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < n; k++) {
      struct conn *c = &cs[evs[k].data.u32];
      if (c->dead) continue;
      if (evs[k].events & EPOLLOUT && c->sent < size) {
        ssize_t w = send(c->fd, out + c->sent, size - c->sent, MSG_NOSIGNAL);
        if (w > 0) c->sent += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EINTR) goto fail;
        if (c->sent == size) {
          struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[k].data.u32};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
      }
      if (evs[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        for (;;) {
          size_t want = size - c->recvd;
          if (want > 65536) want = 65536;
          ssize_t r = recv(c->fd, in, want, 0);
          if (r < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            goto fail;
          }
          if (r == 0) goto fail;
          /* Spot-check the echo: the first byte received must be the one sent at that offset. */
          if (in[0] != out[c->recvd]) goto fail;
          c->recvd += (size_t)r;
          if (c->recvd > c->sent) goto fail; /* more came back than was sent */
          if (c->recvd == size) {
            uint64_t now = now_ns();
            if (measuring && now <= end) {
              msgs++;
              uint64_t d = now - c->t0;
              if (nlat == cap) {
                cap *= 2;
                lat = realloc(lat, cap * sizeof *lat);
              }
              lat[nlat++] = d > 0xffffffffull ? 0xffffffffu : (uint32_t)d;
            }
            c->sent = c->recvd = 0;
            c->t0 = now;
            ssize_t w = send(c->fd, out, size, MSG_NOSIGNAL);
            if (w > 0) c->sent = (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EINTR) goto fail;
            if (c->sent < size) {
              struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = evs[k].data.u32};
              epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
            }
            break;
          }
        }
      }
      continue;
    fail:
      errors++;
      c->dead = 1;
      alive--;
      epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    }
  }
  uint64_t t_end = now_ns();
  double cpu1 = pid ? proc_cpu(pid) : 0;
  double secs = measuring ? (double)(t_end - t_measure) / 1e9 : 0;
  double p50 = 0, p99 = 0;
  if (nlat) {
    qsort(lat, nlat, sizeof *lat, cmp_u32);
    p50 = lat[(nlat - 1) / 2] / 1e3;
    p99 = lat[(size_t)((double)(nlat - 1) * 0.99)] / 1e3;
  }
  double rate = secs > 0 ? (double)msgs / secs : 0;
  printf(
      "{\"conns\":%d,\"size\":%zu,\"seconds\":%.4f,\"messages\":%llu,\"msgs_per_s\":%.1f,"
      "\"mb_per_s\":%.2f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"errors\":%ld",
      nconn, size, secs, (unsigned long long)msgs, rate, rate * (double)size / 1e6, p50, p99,
      errors);
  if (pid) printf(",\"server_cpu_s\":%.3f", cpu1 >= 0 && cpu0 >= 0 ? cpu1 - cpu0 : -1.0);
  printf("}\n");
  for (int i = 0; i < nconn; i++) close(cs[i].fd);
  return 0;
}
