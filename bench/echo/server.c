/*
 * The reference echo server: one thread, level-triggered epoll, one read
 * buffer; echoes what it reads at once, and keeps (and stops reading) only
 * what the kernel would not take.
 *
 *   server PORT      listens on 127.0.0.1:PORT (0: any free port) and
 *                    prints "LISTENING <port>", as every server here does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF (256 * 1024)

/* What a connection could not send yet; NULL when nothing is pending. */
struct pending {
  size_t len, off;
  unsigned char data[];
};

static struct pending **pend; /* by fd */
static int pend_cap;

static void set_pending(int fd, struct pending *p) {
  if (fd >= pend_cap) {
    int cap = pend_cap ? pend_cap : 1024;
    while (cap <= fd) cap *= 2;
    pend = realloc(pend, (size_t)cap * sizeof *pend);
    memset(pend + pend_cap, 0, (size_t)(cap - pend_cap) * sizeof *pend);
    pend_cap = cap;
  }
  pend[fd] = p;
}

static void drop(int ep, int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  if (fd < pend_cap && pend[fd]) {
    free(pend[fd]);
    pend[fd] = NULL;
  }
  close(fd);
}

int main(int argc, char **argv) {
  int port = argc > 1 ? atoi(argv[1]) : 0;
  struct rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) == 0) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 4096) < 0) {
    perror("server: bind/listen");
    return 1;
  }
  socklen_t al = sizeof a;
  getsockname(ls, (struct sockaddr *)&a, &al);
  printf("LISTENING %d\n", ntohs(a.sin_port));
  fflush(stdout);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls};
  epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
  static unsigned char buf[BUF];
  struct epoll_event evs[256];
  for (;;) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      perror("server: epoll_wait");
      return 1;
    }
    for (int k = 0; k < n; k++) {
      int fd = evs[k].data.fd;
      if (fd == ls) {
        for (;;) {
          int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event e = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
        }
        continue;
      }
      if (evs[k].events & EPOLLOUT) {
        struct pending *p = pend[fd];
        ssize_t w = send(fd, p->data + p->off, p->len - p->off, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
          drop(ep, fd);
          continue;
        }
        if (w > 0) p->off += (size_t)w;
        if (p->off == p->len) {
          free(p);
          pend[fd] = NULL;
          struct epoll_event e = {.events = EPOLLIN, .data.fd = fd};
          epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
        }
        continue;
      }
      ssize_t got = recv(fd, buf, BUF, 0);
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (got <= 0) {
        drop(ep, fd);
        continue;
      }
      ssize_t w = send(fd, buf, (size_t)got, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno != EAGAIN && errno != EINTR) {
          drop(ep, fd);
          continue;
        }
        w = 0;
      }
      if (w < got) {
        /* Keep the rest and wait until writable, not reading meanwhile. */
        struct pending *p = malloc(sizeof *p + (size_t)(got - w));
        p->len = (size_t)(got - w);
        p->off = 0;
        memcpy(p->data, buf + w, p->len);
        set_pending(fd, p);
        struct epoll_event e = {.events = EPOLLOUT, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &e);
      }
    }
  }
}
