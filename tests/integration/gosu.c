/* gosu UID:GID COMMAND [ARGS...]: what gosu and su-exec do for the
 * entrypoints of postgres, redis and friends. Sets the supplementary
 * groups to GID alone, then the group, then the user, and execs COMMAND
 * (searched in PATH). On failure it names the call that failed, with
 * strerror, and exits 1. Built static by the tests
 * (util::debian::gosu_binary). */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_id(const char *s, const char *end, unsigned long *out) {
    char *stop;
    if (s == end)
        return -1;
    errno = 0;
    *out = strtoul(s, &stop, 10);
    return (errno || stop != end || *out > 0xfffffffeUL) ? -1 : 0;
}

int main(int argc, char **argv) {
    unsigned long uid, gid;
    const char *spec = argc > 1 ? argv[1] : "";
    const char *colon = strchr(spec, ':');
    if (argc < 3 || !colon || parse_id(spec, colon, &uid) ||
        parse_id(colon + 1, colon + strlen(colon), &gid)) {
        fprintf(stderr, "usage: gosu UID:GID COMMAND [ARGS...]\n");
        return 1;
    }
    gid_t groups[1] = {(gid_t)gid};
    if (setgroups(1, groups) != 0) {
        fprintf(stderr, "gosu: setgroups(1, [%lu]): %s\n", gid, strerror(errno));
        return 1;
    }
    if (setgid((gid_t)gid) != 0) {
        fprintf(stderr, "gosu: setgid(%lu): %s\n", gid, strerror(errno));
        return 1;
    }
    if (setuid((uid_t)uid) != 0) {
        fprintf(stderr, "gosu: setuid(%lu): %s\n", uid, strerror(errno));
        return 1;
    }
    execvp(argv[2], argv + 2);
    fprintf(stderr, "gosu: exec %s: %s\n", argv[2], strerror(errno));
    return 1;
}
