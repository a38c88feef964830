#!/usr/bin/env python3
"""POSIX parity script for visionfs integration tests (parity_test.cpp).

Runs one fixed sequence of file operations, including ones that must fail,
inside ROOT (an empty directory) and prints one line per step:

    NAME<TAB>ok VALUE      the step succeeded; VALUE is what it observed
    NAME<TAB>ERRNONAME     the step failed with that errno (ENOENT, ...)

The test runs it once on the mount and once on tmpfs and compares the lines.
Each step's VALUE holds only what a POSIX filesystem must report the same way:
sizes, modes, contents, names, times that the step set itself. It never holds
inode numbers, st_blocks, st_blksize or times the filesystem chose. Symlinks,
hard links and device nodes are left out on purpose: visionfs refuses them.

Usage: parity_ops.py ROOT
"""

import ctypes
import errno
import hashlib
import os
import stat
import sys

AT_FDCWD = -100
RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2

_libc = ctypes.CDLL(None, use_errno=True)


def renameat2(src, dst, flags):
    rc = _libc.renameat2(AT_FDCWD, os.fsencode(src), AT_FDCWD, os.fsencode(dst), flags)
    if rc != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def write_file(path, data, mode=0o644):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        return os.write(fd, data)
    finally:
        os.close(fd)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def digest(data):
    return "%d:%s" % (len(data), hashlib.sha256(data).hexdigest()[:16])


def pattern(n, seed):
    # Deterministic, non-image bytes.
    out = bytearray(b"PARITY")
    x = seed
    while len(out) < n:
        x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        out += x.to_bytes(8, "little")
    return bytes(out[:n])


def kind(path):
    st = os.stat(path)
    return "dir" if stat.S_ISDIR(st.st_mode) else "reg" if stat.S_ISREG(st.st_mode) else "other"


def meta(path):
    st = os.stat(path)
    return (kind(path), oct(stat.S_IMODE(st.st_mode)), st.st_size if kind(path) == "reg" else "-")


def tree():
    """Every entry below ROOT with its kind, mode and size, sorted."""
    entries = []
    for dirpath, dirnames, filenames in os.walk("."):
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            entries.append((p,) + meta(p))
    return sorted(entries)


def with_fd(path, flags, fn, mode=0o644):
    fd = os.open(path, flags, mode)
    try:
        return fn(fd)
    finally:
        os.close(fd)


STEPS = []


def step(name):
    def register(fn):
        STEPS.append((name, fn))
        return fn

    return register


# --- directories -----------------------------------------------------------
step("mkdir d")(lambda: os.mkdir("d"))
step("mkdir d again -> EEXIST")(lambda: os.mkdir("d"))
step("mkdir in missing parent -> ENOENT")(lambda: os.mkdir("missing/x"))
step("mkdir mode 0750")(lambda: (os.mkdir("m750", 0o750), meta("m750"))[1])
step("listdir empty dir")(lambda: sorted(os.listdir("d")))

# --- create, write, read ---------------------------------------------------
step("create f O_EXCL")(
    lambda: with_fd("f", os.O_WRONLY | os.O_CREAT | os.O_EXCL, lambda fd: os.write(fd, b"hello world"))
)
step("create f O_EXCL again -> EEXIST")(
    lambda: with_fd("f", os.O_WRONLY | os.O_CREAT | os.O_EXCL, lambda fd: 0)
)
step("read f")(lambda: read_file("f"))
step("stat f")(lambda: (meta("f"), os.stat("f").st_nlink))
step("stat d")(lambda: meta("d"))
step("stat d nlink")(lambda: os.stat("d").st_nlink)
step("create mode 0640")(lambda: (write_file("m640", b"x", 0o640), meta("m640"))[1])
step("read missing -> ENOENT")(lambda: read_file("nope"))
step("stat missing -> ENOENT")(lambda: os.stat("nope"))
step("pwrite past EOF makes a hole")(
    lambda: (with_fd("f", os.O_WRONLY, lambda fd: os.pwrite(fd, b"X", 100)), read_file("f"))[1]
)
step("O_APPEND write")(
    lambda: (with_fd("f", os.O_WRONLY | os.O_APPEND, lambda fd: os.write(fd, b"END")), read_file("f"))[1]
)
step("lseek SEEK_END")(lambda: with_fd("f", os.O_RDONLY, lambda fd: os.lseek(fd, 0, os.SEEK_END)))
step("pread past EOF")(lambda: with_fd("f", os.O_RDONLY, lambda fd: os.pread(fd, 10, 1000)))
step("pread across EOF")(lambda: with_fd("f", os.O_RDONLY, lambda fd: os.pread(fd, 50, 90)))
step("write to O_RDONLY fd -> EBADF")(lambda: with_fd("f", os.O_RDONLY, lambda fd: os.write(fd, b"x")))
step("fsync and fdatasync")(
    lambda: with_fd("f", os.O_RDWR, lambda fd: (os.fsync(fd), os.fdatasync(fd)))
)
step("O_TRUNC open")(lambda: (with_fd("f", os.O_WRONLY | os.O_TRUNC, lambda fd: 0), meta("f"))[1])
step("write 3 MiB")(lambda: write_file("big", pattern(3 * 1024 * 1024 + 7, 1)))
step("read 3 MiB")(lambda: digest(read_file("big")))
step("overwrite middle")(
    lambda: (
        with_fd("big", os.O_WRONLY, lambda fd: os.pwrite(fd, pattern(70000, 2), 1000003)),
        digest(read_file("big")),
    )[1]
)
step("truncate shrink")(lambda: (os.truncate("big", 1000), digest(read_file("big")))[1])
step("truncate grow")(lambda: (os.truncate("big", 50000), digest(read_file("big")))[1])
step("ftruncate")(
    lambda: (with_fd("big", os.O_RDWR, lambda fd: os.ftruncate(fd, 4097)), digest(read_file("big")))[1]
)
step("truncate missing -> ENOENT")(lambda: os.truncate("nope", 0))
step("truncate dir -> EISDIR")(lambda: os.truncate("d", 0))

# --- attributes ------------------------------------------------------------
step("chmod f 0600")(lambda: (os.chmod("f", 0o600), meta("f"))[1])
step("chmod d 0700")(lambda: (os.chmod("d", 0o700), meta("d"))[1])
step("chmod missing -> ENOENT")(lambda: os.chmod("nope", 0o600))
step("chown f")(lambda: (os.chown("f", 1234, 5678), (os.stat("f").st_uid, os.stat("f").st_gid))[1])
step("chown back")(lambda: (os.chown("f", 0, 0), (os.stat("f").st_uid, os.stat("f").st_gid))[1])
step("utime f ns")(
    lambda: (
        os.utime("f", ns=(1_000_000_123_456_789, 1_100_000_987_654_321)),
        (os.stat("f").st_atime_ns, os.stat("f").st_mtime_ns),
    )[1]
)
step("utime d ns")(
    lambda: (
        os.utime("d", ns=(1_200_000_000_000_001, 1_300_000_000_000_002)),
        (os.stat("d").st_atime_ns, os.stat("d").st_mtime_ns),
    )[1]
)
step("utime missing -> ENOENT")(lambda: os.utime("nope", ns=(1, 1)))

# --- rename ----------------------------------------------------------------
step("rename to new name")(lambda: (os.rename("f", "g"), sorted(os.listdir(".")))[1])
step("rename over existing file")(
    lambda: (write_file("h", b"old h"), os.rename("g", "h"), sorted(os.listdir(".")), meta("h"))[2:]
)
step("rename to missing parent -> ENOENT")(lambda: os.rename("h", "nodir/h"))
step("rename missing source -> ENOENT")(lambda: os.rename("nope", "nope2"))
step("rename into subdirectory")(lambda: (os.rename("h", "d/h"), sorted(os.listdir("d")))[1])
step("rename to same name")(lambda: (os.rename("d/h", "d/h"), sorted(os.listdir("d")))[1])
step("RENAME_NOREPLACE onto existing -> EEXIST")(
    lambda: (write_file("k", b"k"), renameat2("d/h", "k", RENAME_NOREPLACE))[1]
)
step("RENAME_NOREPLACE to new name")(
    lambda: (renameat2("d/h", "k2", RENAME_NOREPLACE), sorted(os.listdir(".")), sorted(os.listdir("d")))[1:]
)
step("RENAME_EXCHANGE two files")(
    lambda: (
        write_file("xa", b"contents of a"),
        write_file("xb", b"b"),
        renameat2("xa", "xb", RENAME_EXCHANGE),
        read_file("xa"),
        read_file("xb"),
    )[3:]
)
step("RENAME_EXCHANGE file and directory")(
    lambda: (
        os.mkdir("xdir"),
        write_file("xdir/inner", b"inner"),
        renameat2("xa", "xdir", RENAME_EXCHANGE),
        kind("xa"),
        kind("xdir"),
        read_file("xa/inner"),
    )[3:]
)
step("RENAME_EXCHANGE with missing -> ENOENT")(lambda: renameat2("xb", "nope", RENAME_EXCHANGE))
step("rename dir into its own subdir -> EINVAL")(
    lambda: (os.makedirs("r1/r2"), os.rename("r1", "r1/r2/r3"))[1]
)
step("rename file over dir -> EISDIR")(lambda: os.rename("k", "r1"))
step("rename dir over file -> ENOTDIR")(lambda: os.rename("r1", "k"))
step("rename dir over non-empty dir -> ENOTEMPTY")(lambda: os.rename("m750", "r1"))
step("rename dir over empty dir")(
    lambda: (os.mkdir("empty"), os.rename("r1", "empty"), sorted(os.listdir("empty")), os.path.exists("r1"))[2:]
)
step("rename dir with contents")(
    lambda: (os.rename("empty", "moved"), sorted(os.listdir("moved/r2")), tree())[1:]
)

# --- removal ---------------------------------------------------------------
step("rmdir non-empty -> ENOTEMPTY")(lambda: os.rmdir("moved"))
step("rmdir file -> ENOTDIR")(lambda: os.rmdir("k"))
step("rmdir missing -> ENOENT")(lambda: os.rmdir("nope"))
step("unlink dir -> EISDIR")(lambda: os.unlink("moved"))
step("unlink missing -> ENOENT")(lambda: os.unlink("nope"))
step("unlink file")(lambda: (os.unlink("k"), sorted(os.listdir(".")))[1])
step("rmdir emptied dirs")(lambda: (os.rmdir("moved/r2"), os.rmdir("moved"), sorted(os.listdir(".")))[2])

# --- wrong types -----------------------------------------------------------
step("open dir for writing -> EISDIR")(lambda: os.open("d", os.O_WRONLY))
step("O_DIRECTORY on file -> ENOTDIR")(lambda: os.open("k2", os.O_RDONLY | os.O_DIRECTORY))
step("read from dir fd -> EISDIR")(lambda: with_fd("d", os.O_RDONLY, lambda fd: os.read(fd, 10)))
step("create below a file -> ENOTDIR")(lambda: write_file("k2/x", b"x"))
step("mkdir below a file -> ENOTDIR")(lambda: os.mkdir("k2/x"))
step("name of 255 bytes")(lambda: (write_file("n" * 255, b"x"), meta("n" * 255))[1])
step("name of 256 bytes -> ENAMETOOLONG")(lambda: write_file("n" * 256, b"x"))

# --- extended attributes (user namespace) ----------------------------------
step("setxattr user.a")(lambda: (os.setxattr("k2", "user.a", b"value a"), os.getxattr("k2", "user.a"))[1])
step("setxattr binary value")(
    lambda: (os.setxattr("k2", "user.bin", bytes(range(256))), os.getxattr("k2", "user.bin"))[1]
)
step("setxattr empty value")(lambda: (os.setxattr("k2", "user.empty", b""), os.getxattr("k2", "user.empty"))[1])
step("listxattr")(lambda: sorted(os.listxattr("k2")))
step("getxattr missing -> ENODATA")(lambda: os.getxattr("k2", "user.missing"))
step("XATTR_CREATE on existing -> EEXIST")(lambda: os.setxattr("k2", "user.a", b"x", os.XATTR_CREATE))
step("XATTR_REPLACE on missing -> ENODATA")(lambda: os.setxattr("k2", "user.new", b"x", os.XATTR_REPLACE))
step("XATTR_REPLACE on existing")(
    lambda: (os.setxattr("k2", "user.a", b"replaced", os.XATTR_REPLACE), os.getxattr("k2", "user.a"))[1]
)
step("removexattr")(lambda: (os.removexattr("k2", "user.bin"), sorted(os.listxattr("k2")))[1])
step("removexattr missing -> ENODATA")(lambda: os.removexattr("k2", "user.bin"))
step("xattr survives rename")(lambda: (os.rename("k2", "k3"), os.getxattr("k3", "user.a"))[1])
step("xattr on directory")(lambda: (os.setxattr("d", "user.dir", b"on dir"), sorted(os.listxattr("d")))[1])
step("getxattr on missing file -> ENOENT")(lambda: os.getxattr("nope", "user.a"))
step("new file under an old name has no xattrs")(
    lambda: (os.unlink("k3"), write_file("k3", b"new"), sorted(os.listxattr("k3")))[2]
)

# --- final state -----------------------------------------------------------
step("final tree")(tree)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    os.umask(0o022)
    os.chdir(sys.argv[1])
    for name, fn in STEPS:
        try:
            value = fn()
            line = "ok %r" % (value,)
        except OSError as e:
            line = errno.errorcode.get(e.errno, str(e.errno))
        except Exception as e:  # a bug in a step, not a filesystem result
            line = "EXCEPTION %s: %s" % (type(e).__name__, e)
        print("%s\t%s" % (name, line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
