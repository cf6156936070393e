/* A full disk, for the reliability tests, on any machine (no mount needed): preloaded with
 * LD_PRELOAD, it lets VOIRIE_TEST_ENOSPC_BYTES bytes be written to regular files under
 * VOIRIE_TEST_ENOSPC_DIR, then fails every further write there with ENOSPC, as a full file system
 * does. It covers the calls that reach the C library through its exported symbols: write,
 * pwrite(64), writev and fwrite (SQLite, GDAL's VSI, Qt, libstdc++ and OpenCV all write so).
 * With VOIRIE_TEST_ENOSPC_KILL set, the process is killed (SIGKILL) at that byte instead; with
 * VOIRIE_TEST_ENOSPC_COUNT_FILE, the bytes written there are saved to that file at exit. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long long used = 0;

static int under_full_dir(int fd)
{
    const char* dir = getenv("VOIRIE_TEST_ENOSPC_DIR");
    if (dir == NULL || *dir == '\0')
        return 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    const ssize_t n = readlink(link, path, sizeof(path) - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    return strncmp(path, dir, strlen(dir)) == 0;
}

/* How many of `want` bytes may still be written to `fd`; -1 with errno ENOSPC when none. */
static ssize_t allowance(int fd, size_t want)
{
    if (want == 0 || !under_full_dir(fd))
        return (ssize_t)want;
    const char* budget_text = getenv("VOIRIE_TEST_ENOSPC_BYTES");
    const long long budget = budget_text ? atoll(budget_text) : 0;
    pthread_mutex_lock(&lock);
    long long room = budget - used;
    if (room <= 0 && getenv("VOIRIE_TEST_ENOSPC_KILL") != NULL)
        kill(getpid(), SIGKILL); /* VOIRIE_TEST_ENOSPC_KILL: kill -9 in the middle of the write instead */
    if (room <= 0) {
        pthread_mutex_unlock(&lock);
        errno = ENOSPC;
        return -1;
    }
    const size_t granted = (long long)want < room ? want : (size_t)room;
    used += (long long)granted;
    pthread_mutex_unlock(&lock);
    return (ssize_t)granted;
}

ssize_t write(int fd, const void* buf, size_t count)
{
    static ssize_t (*real)(int, const void*, size_t);
    if (!real)
        real = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write");
    const ssize_t allowed = allowance(fd, count);
    return allowed < 0 ? -1 : real(fd, buf, (size_t)allowed);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset)
{
    static ssize_t (*real)(int, const void*, size_t, off_t);
    if (!real)
        real = (ssize_t(*)(int, const void*, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    const ssize_t allowed = allowance(fd, count);
    return allowed < 0 ? -1 : real(fd, buf, (size_t)allowed, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset)
{
    static ssize_t (*real)(int, const void*, size_t, off64_t);
    if (!real)
        real = (ssize_t(*)(int, const void*, size_t, off64_t))dlsym(RTLD_NEXT, "pwrite64");
    const ssize_t allowed = allowance(fd, count);
    return allowed < 0 ? -1 : real(fd, buf, (size_t)allowed, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt)
{
    static ssize_t (*real)(int, const struct iovec*, int);
    if (!real)
        real = (ssize_t(*)(int, const struct iovec*, int))dlsym(RTLD_NEXT, "writev");
    size_t total = 0;
    for (int i = 0; i < iovcnt; ++i)
        total += iov[i].iov_len;
    const ssize_t allowed = allowance(fd, total);
    if (allowed < 0)
        return -1;
    if ((size_t)allowed == total)
        return real(fd, iov, iovcnt);
    /* A short write: the first `allowed` bytes, as a full disk would take them. */
    size_t left = (size_t)allowed;
    ssize_t done = 0;
    for (int i = 0; i < iovcnt && left > 0; ++i) {
        const size_t part = iov[i].iov_len < left ? iov[i].iov_len : left;
        static ssize_t (*real_write)(int, const void*, size_t);
        if (!real_write)
            real_write = (ssize_t(*)(int, const void*, size_t))dlsym(RTLD_NEXT, "write"); /* counted above */
        const ssize_t n = real_write(fd, iov[i].iov_base, part);
        if (n < 0)
            return done > 0 ? done : -1;
        done += n;
        left -= (size_t)n;
    }
    return done;
}

size_t fwrite(const void* ptr, size_t size, size_t nmemb, FILE* stream)
{
    static size_t (*real)(const void*, size_t, size_t, FILE*);
    if (!real)
        real = (size_t(*)(const void*, size_t, size_t, FILE*))dlsym(RTLD_NEXT, "fwrite");
    if (size == 0 || nmemb == 0)
        return 0;
    const ssize_t allowed = allowance(fileno(stream), size * nmemb);
    if (allowed < 0)
        return 0;
    const size_t items = (size_t)allowed / size;
    const size_t written = items > 0 ? real(ptr, size, items, stream) : 0;
    if (items < nmemb)
        errno = ENOSPC;
    return written;
}

__attribute__((destructor)) static void save_count(void)
{
    const char* file = getenv("VOIRIE_TEST_ENOSPC_COUNT_FILE");
    if (file == NULL)
        return;
    FILE* out = fopen(file, "w");
    if (out == NULL)
        return;
    fprintf(out, "%lld\n", used);
    fclose(out);
}
