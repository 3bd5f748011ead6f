/* Issue 18's probe of the kernel surface a container's process reaches:
 * each named attempt made with a raw system call, printed as
 * "NAME: ok" or "NAME: ERRNO-NAME", one per line, in argument order.
 *
 *   mount-tmpfs     mount a tmpfs on /mnt (an existing directory)
 *   umount-masked   unmount /proc/acpi (a masked path)
 *   remount-sys     remount /proc/sys read-write
 *   add_key         add a user key to the session keyring
 *   keyctl          read the session keyring's id
 *   bpf             BPF_PROG_LOAD with no program (EINVAL if allowed)
 *   perf            perf_event_open of a software clock
 *   io_uring        io_uring_setup with 1 entry
 *   raw-socket      socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *   packet-socket   socket(AF_PACKET, SOCK_RAW, 0)
 *   unshare-mnt     unshare(CLONE_NEWNS)
 *   unshare-net     unshare(CLONE_NEWNET)
 *   unshare-user    unshare(CLONE_NEWUSER), in a child
 *   chroot          chroot("/")
 *   mkdir           mkdir /tmp/kprobe-dir (for a custom profile)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

static const char *name_of(int e) {
    switch (e) {
    case 0: return "ok";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case EROFS: return "EROFS";
    case ENOENT: return "ENOENT";
    case EBUSY: return "EBUSY";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST";
    default: return strerror(e);
    }
}

static int ret(long r) { return r < 0 ? errno : 0; }

static int attempt(const char *what) {
    if (!strcmp(what, "mount-tmpfs"))
        return ret(mount("x", "/mnt", "tmpfs", 0, NULL));
    if (!strcmp(what, "umount-masked"))
        return ret(umount2("/proc/acpi", MNT_DETACH));
    if (!strcmp(what, "remount-sys"))
        return ret(mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL));
    if (!strcmp(what, "add_key"))
        return ret(syscall(SYS_add_key, "user", "kprobe", "x", 1, -3 /* session */));
    if (!strcmp(what, "keyctl"))
        return ret(syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0));
    if (!strcmp(what, "bpf")) {
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        return ret(syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a));
    }
    if (!strcmp(what, "perf")) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        a.type = PERF_TYPE_SOFTWARE;
        a.config = PERF_COUNT_SW_CPU_CLOCK;
        a.exclude_kernel = 1;
        int r = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
        return ret(r);
    }
    if (!strcmp(what, "io_uring")) {
        char params[120];
        memset(params, 0, sizeof params);
        return ret(syscall(SYS_io_uring_setup, 1, params));
    }
    if (!strcmp(what, "raw-socket"))
        return ret(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    if (!strcmp(what, "packet-socket"))
        return ret(socket(AF_PACKET, SOCK_RAW, 0));
    if (!strcmp(what, "unshare-mnt"))
        return ret(unshare(CLONE_NEWNS));
    if (!strcmp(what, "unshare-net"))
        return ret(unshare(CLONE_NEWNET));
    if (!strcmp(what, "unshare-user")) {
        pid_t p = fork();
        if (p == 0)
            _exit(unshare(CLONE_NEWUSER) < 0 ? errno : 0);
        int st = 0;
        waitpid(p, &st, 0);
        return WEXITSTATUS(st);
    }
    if (!strcmp(what, "chroot"))
        return ret(chroot("/"));
    if (!strcmp(what, "mkdir"))
        return ret(mkdir("/tmp/kprobe-dir", 0755));
    return -1;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        int e = attempt(argv[i]);
        if (e < 0)
            printf("%s: unknown probe\n", argv[i]);
        else
            printf("%s: %s\n", argv[i], name_of(e));
    }
    return 0;
}
