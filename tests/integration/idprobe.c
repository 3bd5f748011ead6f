/* Issue 16's hostile probes of the id emulation, run in a container as
 * its root. Raw system calls throughout: glibc would make every thread
 * change its ids together, and these probes need one thread alone.
 *
 *   idprobe threads   one thread drops to 33 with a raw setresuid; the
 *                     other, still root, must read uid 0 and may still
 *                     setuid: "A=33 B=0 B-setuid=0"
 *   idprobe parent    a child made before its parent drops keeps root:
 *                     "parent=33 child=0"
 *   idprobe reuse     a child drops to 33 and exits; its pid is handed
 *                     again (clone3's set_tid, which container root may
 *                     use) to a child of a root parent, which must be
 *                     root: "reused uid=0"
 *   idprobe orphan    a process drops to 33, makes a child and exits;
 *                     the orphan, reparented to a root pid 1, stays 33:
 *                     "orphan=33"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long raw_getuid(void) { return syscall(SYS_getuid); }
static long raw_drop(void) { return syscall(SYS_setresuid, 33, 33, 33); }

static int pipe_a[2], pipe_b[2];

static void *dropper(void *arg) {
    (void)arg;
    long r = raw_drop();
    char c = r == 0 ? 'y' : 'n';
    write(pipe_a[1], &c, 1);
    read(pipe_b[0], &c, 1);
    return (void *)raw_getuid();
}

static int threads(void) {
    pipe(pipe_a);
    pipe(pipe_b);
    pthread_t t;
    pthread_create(&t, 0, dropper, 0);
    char c;
    read(pipe_a[0], &c, 1);
    long b = raw_getuid();
    write(pipe_b[1], "x", 1);
    void *a;
    pthread_join(t, &a);
    long set = syscall(SYS_setuid, 0);
    printf("A=%ld B=%ld B-setuid=%ld\n", (long)a, b, set);
    return 0;
}

static int parent(void) {
    int go[2], out[2];
    pipe(go);
    pipe(out);
    pid_t p = fork();
    if (p == 0) {
        char c;
        read(go[0], &c, 1);
        long u = raw_getuid();
        write(out[1], &u, sizeof u);
        _exit(0);
    }
    raw_drop();
    write(go[1], "x", 1);
    long u = -1;
    read(out[0], &u, sizeof u);
    waitpid(p, 0, 0);
    printf("parent=%ld child=%ld\n", raw_getuid(), u);
    return 0;
}

struct clone_args_v2 {
    unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack,
        stack_size, tls, set_tid, set_tid_size, cgroup;
};

static int reuse(void) {
    pid_t p = fork();
    if (p == 0) {
        raw_drop();
        _exit(raw_getuid() == 33 ? 0 : 1);
    }
    int st;
    waitpid(p, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("drop failed\n");
        return 1;
    }
    int out[2];
    pipe(out);
    pid_t want = p;
    struct clone_args_v2 args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    args.set_tid = (unsigned long long)(unsigned long)&want;
    args.set_tid_size = 1;
    long q = syscall(SYS_clone3, &args, sizeof args);
    if (q == 0) {
        long u = raw_getuid();
        write(out[1], &u, sizeof u);
        _exit(0);
    }
    if (q < 0) {
        printf("clone3 set_tid: %s\n", strerror(errno));
        return 1;
    }
    long u = -1;
    read(out[0], &u, sizeof u);
    waitpid(q, 0, 0);
    if (q != p) {
        printf("got pid %ld, not %d\n", q, p);
        return 1;
    }
    printf("reused uid=%ld\n", u);
    return 0;
}

static int orphan(void) {
    int out[2];
    pipe(out);
    pid_t mid = fork();
    if (mid == 0) {
        raw_drop();
        pid_t o = fork();
        if (o == 0) {
            /* Until the middle process is gone (bounded). */
            for (int i = 0; i < 10000 && getppid() != 1; i++) usleep(1000);
            long u = raw_getuid();
            write(out[1], &u, sizeof u);
            _exit(0);
        }
        /* exit_group with the child still there: it is reparented. */
        _exit(0);
    }
    close(out[1]);
    waitpid(mid, 0, 0);
    long u = -1;
    read(out[0], &u, sizeof u);
    printf("orphan=%ld\n", u);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, 0, _IONBF, 0);
    if (argc != 2) return 2;
    if (!strcmp(argv[1], "threads")) return threads();
    if (!strcmp(argv[1], "parent")) return parent();
    if (!strcmp(argv[1], "reuse")) return reuse();
    if (!strcmp(argv[1], "orphan")) return orphan();
    return 2;
}
