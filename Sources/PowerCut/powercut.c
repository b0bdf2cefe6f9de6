// A power cut for one directory, loaded with LD_PRELOAD into the processes under test.
//
// A kill -9 leaves the kernel's page cache behind, so it cannot tell a writer that syncs from
// one that does not. This library keeps a second copy of a directory, the image, that receives
// a file's writes only when the file is fsync'd or fdatasync'd, as a disk does: the image is
// what a power cut at this instant would leave. Kill the processes, start again on a copy of the
// image, and whatever was acknowledged without being synced is gone.
//
// POWERCUT_DIR    the directory whose writes are held back (the agent's data_dir); it must exist
// POWERCUT_IMAGE  the image: a copy of POWERCUT_DIR taken before the processes started
//
// What it models, and what it does not:
// - File contents: each write (write, pwrite, pwrite64) and truncation (ftruncate, O_TRUNC) to
//   a file of the directory is noted, as a range, in the file's pending log, which every process
//   shares (POWERCUT_IMAGE.pending/<name>). A sync of the file (fsync, fdatasync, sync, syncfs)
//   by any process copies every pending range to the image from the file as it is at that
//   moment, as the kernel writes back a file's dirty pages whoever dirtied them: the agent and
//   an operator's CLI committing to one SQLite database see the disk a real one would.
//   Closing a file does not sync it.
// - File length: after a truncation, a sync gives the image the file's length; otherwise the
//   image grows as far as the synced ranges reach.
// - The names in the directory (creating, unlinking and renaming files) reach the image at
//   once, as a journalling file system commits them within seconds; the data is what is lost.
// - Files ending in "-shm" are skipped: SQLite maps its shared-memory index and rebuilds it from
//   the write-ahead log after a crash, so it never holds anything durable.
// - Before starting processes on a restored image, empty the pending directory: the ranges it
//   lists died with the power.
// Without both variables set the library only passes calls through.

#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "PowerCut.h"

// A pending range: `length` bytes at `offset`, or, with a negative length, a truncation.
struct range {
    int64_t offset;
    int64_t length;
};

#define TRACKED_DESCRIPTORS 65536

static char watched[PATH_MAX];
static size_t watchedLength;
static char image[PATH_MAX];
static char pending[PATH_MAX];
static int enabled;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
// A descriptor's file name relative to the directory, when it is one of the directory's files,
// and the descriptor of that file's pending log, opened with it.
static char *descriptorName[TRACKED_DESCRIPTORS];
static int descriptorLog[TRACKED_DESCRIPTORS];
static int descriptorAppends[TRACKED_DESCRIPTORS];

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static void (*real_sync)(void);
static int (*real_syncfs)(int);
static int (*real_unlink)(const char *);
static int (*real_unlinkat)(int, const char *, int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned int);

static void *next_symbol(const char *name) {
    void *symbol = dlsym(RTLD_NEXT, name);
    if (symbol == NULL) {
        fprintf(stderr, "powercut: no %s to wrap\n", name);
        abort();
    }
    return symbol;
}

static void powercut_start(void) {
    real_open = next_symbol("open");
    real_open64 = next_symbol("open64");
    real_openat = next_symbol("openat");
    real_openat64 = next_symbol("openat64");
    real_close = next_symbol("close");
    real_write = next_symbol("write");
    real_pwrite = next_symbol("pwrite");
    real_pwrite64 = next_symbol("pwrite64");
    real_ftruncate = next_symbol("ftruncate");
    real_ftruncate64 = next_symbol("ftruncate64");
    real_fsync = next_symbol("fsync");
    real_fdatasync = next_symbol("fdatasync");
    real_sync = next_symbol("sync");
    real_syncfs = next_symbol("syncfs");
    real_unlink = next_symbol("unlink");
    real_unlinkat = next_symbol("unlinkat");
    real_rename = next_symbol("rename");
    real_renameat = next_symbol("renameat");
    real_renameat2 = next_symbol("renameat2");

    const char *directory = getenv("POWERCUT_DIR");
    const char *imageDirectory = getenv("POWERCUT_IMAGE");
    if (directory == NULL || imageDirectory == NULL) return;
    if (realpath(directory, watched) == NULL || realpath(imageDirectory, image) == NULL) {
        fprintf(stderr, "powercut: POWERCUT_DIR %s and POWERCUT_IMAGE %s must both exist\n", directory, imageDirectory);
        abort();
    }
    watchedLength = strlen(watched);
    snprintf(pending, sizeof pending, "%s.pending", image);
    if (mkdir(pending, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "powercut: cannot create %s: %s\n", pending, strerror(errno));
        abort();
    }
    enabled = 1;
}

static pthread_once_t started = PTHREAD_ONCE_INIT;

// Every wrapper starts here: a library's constructor may call one before this library's own runs.
static void ensure_started(void) { pthread_once(&started, powercut_start); }

__attribute__((constructor)) static void powercut_constructor(void) { ensure_started(); }

// The name of `path` relative to the directory, or NULL when it lies outside it or is skipped.
static const char *relative_name(const char *path) {
    if (strncmp(path, watched, watchedLength) != 0 || path[watchedLength] != '/') return NULL;
    const char *name = path + watchedLength + 1;
    size_t length = strlen(name);
    if (length == 0 || strchr(name, '/') != NULL) return NULL;
    if (length >= 4 && strcmp(name + length - 4, "-shm") == 0) return NULL;
    return name;
}

static void image_path(char *out, const char *name) { snprintf(out, PATH_MAX, "%s/%s", image, name); }

static void fail(const char *what, const char *path) {
    fprintf(stderr, "powercut: cannot %s %s: %s\n", what, path, strerror(errno));
    abort();
}

static void pending_path(char *out, const char *name, const char *suffix) {
    snprintf(out, PATH_MAX, "%s/%s%s", pending, name, suffix);
}

static int open_log(const char *name) {
    char path[PATH_MAX];
    pending_path(path, name, "");
    int log = real_open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) fail("open the pending log", path);
    return log;
}

// Notes a range in the file's pending log. Appends of one record are atomic, so processes
// writing to the same file need no lock; the record follows the write it describes, before the
// writer can tell anyone the write happened.
static void note(int log, const char *name, int64_t offset, int64_t length) {
    struct range range = {offset, length};
    if (real_write(log, &range, sizeof range) != (ssize_t)sizeof range) fail("append to the pending log of", name);
}

static void copy_range(int live, int target, off_t from, off_t to, const char *name) {
    static unsigned char buffer[1 << 16];  // used under `lock`
    for (off_t at = from; at < to;) {
        size_t want = (size_t)(to - at) < sizeof buffer ? (size_t)(to - at) : sizeof buffer;
        ssize_t count = pread(live, buffer, want, at);
        if (count <= 0) fail("read", name);
        for (ssize_t done = 0; done < count;) {
            ssize_t written = real_pwrite(target, buffer + done, (size_t)(count - done), at + done);
            if (written <= 0) fail("write the image of", name);
            done += written;
        }
        at += count;
    }
}

// What a sync of the file makes durable: every range its pending log lists, whoever wrote it,
// copied to the image from the file as it is now. The file is read through `descriptor`, one of
// this process's own descriptors of it: opening and closing another would release the
// process's POSIX locks on the file (SQLite's), letting another process think it alone has the
// database open. Called under `lock`.
static void make_durable(const char *name, int descriptor, int log) {
    char livePath[PATH_MAX], imagePath[PATH_MAX], positionPath[PATH_MAX];
    snprintf(livePath, sizeof livePath, "%s/%s", watched, name);
    image_path(imagePath, name);
    pending_path(positionPath, name, ".at");
    // One sync at a time per file, across processes; appends carry on meanwhile.
    if (flock(log, LOCK_EX) != 0) fail("lock the pending log of", name);
    int position = real_open(positionPath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (position < 0) fail("open", positionPath);
    int64_t from = 0;
    if (pread(position, &from, sizeof from, 0) != (ssize_t)sizeof from) from = 0;
    struct stat logStatus;
    if (fstat(log, &logStatus) != 0) fail("stat the pending log of", name);
    int64_t to = logStatus.st_size - logStatus.st_size % (int64_t)sizeof(struct range);
    if (to > from) {
        int live = descriptor, opened = 0;
        if (live < 0 || (fcntl(live, F_GETFL) & O_ACCMODE) == O_WRONLY) {
            // No descriptor to read through: a file this process does not hold open (so it holds
            // no locks on it), or one opened write-only (nobody's database).
            live = real_open(livePath, O_RDONLY | O_CLOEXEC);
            if (live < 0) fail("open", livePath);
            opened = 1;
        }
        int target = real_open(imagePath, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (target < 0) fail("open the image of", imagePath);
        struct stat liveStatus, imageStatus;
        if (fstat(live, &liveStatus) != 0) fail("stat", livePath);
        if (fstat(target, &imageStatus) != 0) fail("stat the image of", imagePath);
        off_t length = imageStatus.st_size;
        struct range ranges[256];
        for (int64_t at = from; at < to;) {
            size_t want = (size_t)(to - at) < sizeof ranges ? (size_t)(to - at) : sizeof ranges;
            ssize_t count = pread(log, ranges, want, at);
            if (count <= 0 || count % (ssize_t)sizeof(struct range) != 0) fail("read the pending log of", name);
            for (ssize_t index = 0; index < count / (ssize_t)sizeof(struct range); index++) {
                if (ranges[index].length < 0) {
                    length = liveStatus.st_size;
                    continue;
                }
                off_t end = ranges[index].offset + ranges[index].length;
                if (end > liveStatus.st_size) end = liveStatus.st_size;
                copy_range(live, target, ranges[index].offset, end, name);
                if (end > length) length = end;
            }
            at += count;
        }
        if (length > liveStatus.st_size) length = liveStatus.st_size;
        if (length != imageStatus.st_size && real_ftruncate(target, length) != 0) fail("truncate the image of", imagePath);
        if (opened) real_close(live);
        real_close(target);
        if (real_pwrite(position, &to, sizeof to, 0) != (ssize_t)sizeof to) fail("write", positionPath);
    }
    real_close(position);
    flock(log, LOCK_UN);
}

static void forget_pending(const char *name) {
    char path[PATH_MAX];
    pending_path(path, name, "");
    real_unlink(path);
    pending_path(path, name, ".at");
    real_unlink(path);
}

// Creates the image's copy of a file just created in the directory (a name reaches the image at once).
static void create_in_image(const char *name) {
    char path[PATH_MAX];
    image_path(path, name);
    int descriptor = real_open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (descriptor >= 0) real_close(descriptor);
}

// Forgets what `descriptor` referred to. Called under `lock`.
static void untrack(int descriptor) {
    if (descriptorName[descriptor] == NULL) return;
    free(descriptorName[descriptor]);
    descriptorName[descriptor] = NULL;
    real_close(descriptorLog[descriptor]);
}

// Remembers what `descriptor`, just opened, refers to.
static void opened(int descriptor, int flags) {
    if (!enabled || descriptor < 0 || descriptor >= TRACKED_DESCRIPTORS) return;
    char link[64], path[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", descriptor);
    ssize_t length = readlink(link, path, sizeof path - 1);
    if (length <= 0) return;
    path[length] = 0;
    const char *name = relative_name(path);
    pthread_mutex_lock(&lock);
    untrack(descriptor);
    if (name != NULL) {
        descriptorName[descriptor] = strdup(name);
        descriptorLog[descriptor] = open_log(name);
        descriptorAppends[descriptor] = (flags & O_APPEND) != 0;
        if (flags & O_CREAT) create_in_image(name);
        if (flags & O_TRUNC) note(descriptorLog[descriptor], name, 0, -1);
    }
    pthread_mutex_unlock(&lock);
}

// The tracked name of `descriptor`, copied into `out`; 0 when it is not one of the directory's files.
static int tracked(int descriptor, char *out) {
    if (!enabled || descriptor < 0 || descriptor >= TRACKED_DESCRIPTORS) return 0;
    pthread_mutex_lock(&lock);
    const char *name = descriptorName[descriptor];
    if (name != NULL) snprintf(out, PATH_MAX, "%s", name);
    pthread_mutex_unlock(&lock);
    return name != NULL;
}

static mode_t mode_argument(int flags, va_list arguments) {
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(arguments, int) : 0;
}

int open(const char *path, int flags, ...) {
    ensure_started();
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = mode_argument(flags, arguments);
    va_end(arguments);
    int descriptor = real_open(path, flags, mode);
    opened(descriptor, flags);
    return descriptor;
}

int open64(const char *path, int flags, ...) {
    ensure_started();
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = mode_argument(flags, arguments);
    va_end(arguments);
    int descriptor = real_open64(path, flags, mode);
    opened(descriptor, flags);
    return descriptor;
}

int openat(int directory, const char *path, int flags, ...) {
    ensure_started();
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = mode_argument(flags, arguments);
    va_end(arguments);
    int descriptor = real_openat(directory, path, flags, mode);
    opened(descriptor, flags);
    return descriptor;
}

int openat64(int directory, const char *path, int flags, ...) {
    ensure_started();
    va_list arguments;
    va_start(arguments, flags);
    mode_t mode = mode_argument(flags, arguments);
    va_end(arguments);
    int descriptor = real_openat64(directory, path, flags, mode);
    opened(descriptor, flags);
    return descriptor;
}

int close(int descriptor) {
    ensure_started();
    if (enabled && descriptor >= 0 && descriptor < TRACKED_DESCRIPTORS) {
        pthread_mutex_lock(&lock);
        untrack(descriptor);
        pthread_mutex_unlock(&lock);
    }
    return real_close(descriptor);
}

// Notes a write or (with a negative length) a truncation made through `descriptor`.
static void held(int descriptor, const char *name, off_t offset, int64_t length) {
    pthread_mutex_lock(&lock);
    // The descriptor may have been closed and reused while the call ran.
    if (descriptorName[descriptor] != NULL && strcmp(descriptorName[descriptor], name) == 0) {
        note(descriptorLog[descriptor], name, offset, length);
    }
    pthread_mutex_unlock(&lock);
}

static void held_write(int descriptor, const char *name, off_t offset, ssize_t written) {
    if (written > 0) held(descriptor, name, offset, written);
}

ssize_t write(int descriptor, const void *bytes, size_t count) {
    ensure_started();
    char name[PATH_MAX];
    if (!tracked(descriptor, name)) return real_write(descriptor, bytes, count);
    off_t offset;
    if (descriptorAppends[descriptor]) {
        struct stat status;
        offset = fstat(descriptor, &status) == 0 ? status.st_size : 0;
    } else {
        offset = lseek(descriptor, 0, SEEK_CUR);
    }
    ssize_t written = real_write(descriptor, bytes, count);
    held_write(descriptor, name, offset, written);
    return written;
}

ssize_t pwrite(int descriptor, const void *bytes, size_t count, off_t offset) {
    ensure_started();
    ssize_t written = real_pwrite(descriptor, bytes, count, offset);
    char name[PATH_MAX];
    if (tracked(descriptor, name)) held_write(descriptor, name, offset, written);
    return written;
}

ssize_t pwrite64(int descriptor, const void *bytes, size_t count, off_t offset) {
    ensure_started();
    ssize_t written = real_pwrite64(descriptor, bytes, count, offset);
    char name[PATH_MAX];
    if (tracked(descriptor, name)) held_write(descriptor, name, offset, written);
    return written;
}

static void held_truncate(int descriptor, off_t length) {
    char name[PATH_MAX];
    if (tracked(descriptor, name)) held(descriptor, name, length, -1);
}

int ftruncate(int descriptor, off_t length) {
    ensure_started();
    int result = real_ftruncate(descriptor, length);
    if (result == 0) held_truncate(descriptor, length);
    return result;
}

int ftruncate64(int descriptor, off_t length) {
    ensure_started();
    int result = real_ftruncate64(descriptor, length);
    if (result == 0) held_truncate(descriptor, length);
    return result;
}

static void synced(int descriptor) {
    char name[PATH_MAX];
    if (!tracked(descriptor, name)) return;
    pthread_mutex_lock(&lock);
    if (descriptorName[descriptor] != NULL && strcmp(descriptorName[descriptor], name) == 0) {
        make_durable(name, descriptor, descriptorLog[descriptor]);
    }
    pthread_mutex_unlock(&lock);
}

int fsync(int descriptor) {
    ensure_started();
    int result = real_fsync(descriptor);
    if (result == 0) synced(descriptor);
    return result;
}

int fdatasync(int descriptor) {
    ensure_started();
    int result = real_fdatasync(descriptor);
    if (result == 0) synced(descriptor);
    return result;
}

// sync and syncfs: every file with a pending log, whichever process wrote it.
static void everything_synced(void) {
    if (!enabled) return;
    pthread_mutex_lock(&lock);
    DIR *directory = opendir(pending);
    if (directory == NULL) fail("list", pending);
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        size_t length = strlen(entry->d_name);
        if (entry->d_name[0] == '.' || (length > 3 && strcmp(entry->d_name + length - 3, ".at") == 0)) continue;
        int descriptor = -1;
        for (int candidate = 0; candidate < TRACKED_DESCRIPTORS && descriptor < 0; candidate++) {
            if (descriptorName[candidate] != NULL && strcmp(descriptorName[candidate], entry->d_name) == 0) descriptor = candidate;
        }
        if (descriptor >= 0) {
            make_durable(entry->d_name, descriptor, descriptorLog[descriptor]);
        } else {
            int log = open_log(entry->d_name);
            make_durable(entry->d_name, -1, log);
            real_close(log);
        }
    }
    closedir(directory);
    pthread_mutex_unlock(&lock);
}

void sync(void) {
    ensure_started();
    real_sync();
    everything_synced();
}

int syncfs(int descriptor) {
    ensure_started();
    int result = real_syncfs(descriptor);
    if (result == 0) everything_synced();
    return result;
}

// The absolute path `path` names, relative to `directory` (a descriptor or AT_FDCWD), whether
// or not its last component exists; 0 when its parent cannot be resolved.
static int resolve(int directory, const char *path, char *out) {
    char joined[PATH_MAX], parent[PATH_MAX];
    if (path[0] == '/') {
        snprintf(joined, sizeof joined, "%s", path);
    } else if (directory == AT_FDCWD) {
        if (getcwd(parent, sizeof parent) == NULL) return 0;
        snprintf(joined, sizeof joined, "%s/%s", parent, path);
    } else {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", directory);
        ssize_t length = readlink(link, parent, sizeof parent - 1);
        if (length <= 0) return 0;
        parent[length] = 0;
        snprintf(joined, sizeof joined, "%s/%s", parent, path);
    }
    char *slash = strrchr(joined, '/');
    *slash = 0;
    const char *base = slash + 1;
    if (realpath(joined[0] ? joined : "/", parent) == NULL) return 0;
    snprintf(out, PATH_MAX, "%s/%s", parent, base);
    return 1;
}

static void unlinked(int directory, const char *path) {
    char absolute[PATH_MAX], imagePath[PATH_MAX];
    if (!enabled || !resolve(directory, path, absolute)) return;
    const char *name = relative_name(absolute);
    if (name == NULL) return;
    pthread_mutex_lock(&lock);
    forget_pending(name);
    image_path(imagePath, name);
    real_unlink(imagePath);
    pthread_mutex_unlock(&lock);
}

int unlink(const char *path) {
    ensure_started();
    int result = real_unlink(path);
    if (result == 0) unlinked(AT_FDCWD, path);
    return result;
}

int unlinkat(int directory, const char *path, int flags) {
    ensure_started();
    int result = real_unlinkat(directory, path, flags);
    if (result == 0 && !(flags & AT_REMOVEDIR)) unlinked(directory, path);
    return result;
}

// A rename within the directory moves the image's file and its pending log; a file renamed
// into it from outside arrives with its contents as they are now.
static void renamed(int fromDirectory, const char *from, int toDirectory, const char *to) {
    char fromPath[PATH_MAX], toPath[PATH_MAX], fromImage[PATH_MAX], toImage[PATH_MAX];
    if (!enabled || !resolve(toDirectory, to, toPath)) return;
    const char *toName = relative_name(toPath);
    const char *fromName = resolve(fromDirectory, from, fromPath) ? relative_name(fromPath) : NULL;
    if (toName == NULL && fromName == NULL) return;
    pthread_mutex_lock(&lock);
    if (toName != NULL) {
        forget_pending(toName);
        image_path(toImage, toName);
    }
    if (fromName != NULL && toName != NULL) {
        image_path(fromImage, fromName);
        real_rename(fromImage, toImage);
        const char *suffixes[] = {"", ".at"};
        for (int index = 0; index < 2; index++) {
            char fromPending[PATH_MAX], toPending[PATH_MAX];
            pending_path(fromPending, fromName, suffixes[index]);
            pending_path(toPending, toName, suffixes[index]);
            real_rename(fromPending, toPending);
        }
    } else if (fromName != NULL) {
        image_path(fromImage, fromName);
        forget_pending(fromName);
        real_unlink(fromImage);
    } else {
        // From outside: copy what the file holds now.
        int source = real_open(toPath, O_RDONLY | O_CLOEXEC);
        int target = real_open(toImage, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        char buffer[65536];
        ssize_t count;
        while (source >= 0 && target >= 0 && (count = read(source, buffer, sizeof buffer)) > 0) {
            if (real_write(target, buffer, (size_t)count) != count) abort();
        }
        if (source >= 0) real_close(source);
        if (target >= 0) real_close(target);
    }
    for (int descriptor = 0; descriptor < TRACKED_DESCRIPTORS; descriptor++) {
        if (fromName != NULL && descriptorName[descriptor] != NULL && strcmp(descriptorName[descriptor], fromName) == 0) {
            if (toName != NULL) {
                free(descriptorName[descriptor]);
                descriptorName[descriptor] = strdup(toName);
            } else {
                untrack(descriptor);
            }
        }
    }
    pthread_mutex_unlock(&lock);
}

int rename(const char *from, const char *to) {
    ensure_started();
    int result = real_rename(from, to);
    if (result == 0) renamed(AT_FDCWD, from, AT_FDCWD, to);
    return result;
}

int renameat(int fromDirectory, const char *from, int toDirectory, const char *to) {
    ensure_started();
    int result = real_renameat(fromDirectory, from, toDirectory, to);
    if (result == 0) renamed(fromDirectory, from, toDirectory, to);
    return result;
}

int renameat2(int fromDirectory, const char *from, int toDirectory, const char *to, unsigned int flags) {
    ensure_started();
    int result = real_renameat2(fromDirectory, from, toDirectory, to, flags);
    if (result == 0) renamed(fromDirectory, from, toDirectory, to);
    return result;
}
