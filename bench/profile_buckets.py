#!/usr/bin/env python3
"""Buckets of bench/profile.sh: reads `perf script -F comm,tid,ip,sym,dso` of the gateway on stdin and prints, for
one scenario, µs of CPU per request in each layer of a mint.

    profile_buckets.py <label> <samples per second (perf -F)> <requests in the sampled window>

Each sample goes to one bucket: the stack is walked from the sampled frame towards the thread's start, and the first
frame that a rule below names decides (so a kernel write under SQLite is SQLite's, an allocation is its caller's).
A sample on a garbage-collector thread is GC's. A sample no rule names goes by its own frame's library: the kernel,
the runtime (libcoreclr, whose symbols are stripped), the C library, or other. Frames that name no layer (the
runtime's, its core library's precompiled code) are skipped over, so their cost goes to the nearest caller that does.
"""
import re
import sys

# (bucket, pattern on "symbol (library)"), checked in this order for each frame. A frame of code precompiled
# ReadyToRun has no symbol but its assembly's file, which the patterns name as well. The C library has no frame
# pointers, so a stack through it ends there: the kernel's own frames (the system call) say what it was doing.
RULES = [
    ("SQLite (engine and file I/O)", r"libe_sqlite3|Microsoft\.Data\.Sqlite|SQLitePCL|ext4_|jbd2|fsync|pwrite64|pread64|vfs_write|vfs_read|file_write_iter|filemap_"),
    ("JIT (warm-up left)", r"libclrjit"),
    ("sealing (token codec, base64)", r"TokenKeyRing|TokenCodec|System\.Formats\.Cbor|Base64Url"),
    ("crypto (libcrypto: AES-GCM, SHA-256, HKDF, RNG)", r"libcrypto|AesGcm|SHA256|HKDF|RandomNumberGenerator"),
    ("parsing, validation, fingerprint", r"Orleans\.Tokens\.Gateway\.(Validation|Requests\.RequestParameters)|TokenRequest|RequestFingerprint"),
    ("grain logic and write plumbing", r"Orleans\.Tokens\.Grains|Orleans\.Tokens\.Hosting\.Storage|StateStorageBridge|Orleans\.Storage"),
    ("Orleans messaging and scheduling", r"Orleans\.(Runtime|Core|Serialization|Core\.Abstractions)(\.dll|\]|\.)"),
    ("metrics (OpenTelemetry)", r"OpenTelemetry|System\.Diagnostics\.Metrics|TokensMetrics|System\.Diagnostics\.DiagnosticSource"),
    ("gateway endpoint", r"Orleans\.Tokens\.Gateway"),
    ("Kestrel and kernel TCP", r"Microsoft\.AspNetCore|System\.Net\.Sockets|System\.IO\.Pipelines|HalfCloseTransport|tcp_|inet_|sock_|__sys_send|__sys_recv|sendmsg|recvmsg|epoll|ep_poll|ip_|__dev_queue|net_rx|__napi|skb_|loopback"),
    ("thread hops and waits (futex, scheduler)", r"futex|schedule|finish_task_switch|sched_yield|nanosleep|try_to_wake_up|ThreadPool|PortableThreadPool|LowLevelLifoSemaphore|AsyncTaskMethodBuilder|AsyncStateMachineBox|TaskScheduler|ExecutionContext"),
    ("page faults (new memory)", r"exc_page_fault|do_anonymous_page|clear_page|handle_mm_fault"),
]
COMPILED = [(bucket, re.compile(pattern)) for bucket, pattern in RULES]
GC_THREAD = re.compile(r"GC")
# Frames that say nothing of the layer: the runtime's own (stripped), its core library's precompiled code, and
# jitted code the perf map does not name.
GENERIC = re.compile(r"^\[unknown\] \((.*System\.Private\.CoreLib\.dll|.*libcoreclr\.so|/memfd:.*|.*libc\.so.*)\)$")


def bucket_of(comm, frames):
    if GC_THREAD.search(comm):
        return "garbage collection (GC threads)"
    for frame in frames:
        if GENERIC.match(frame):
            continue
        for bucket, pattern in COMPILED:
            if pattern.search(frame):
                return bucket
    leaf = frames[0] if frames else ""
    if "kernel.kallsyms" in leaf:
        return "kernel, other"
    if "libcoreclr" in leaf:
        return "runtime, other (stripped)"
    if "libc.so" in leaf:
        return "C library (memcpy, malloc)"
    return "other"


def samples(lines):
    comm, frames = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if comm is not None:
                yield comm, frames
            comm, frames = None, []
        elif not line.startswith(("\t", " ")) and comm is None:
            comm = line.rsplit(None, 1)[0] if line.split()[-1].isdigit() else line
        else:
            parts = line.strip().split(None, 1)
            frames.append(parts[1] if len(parts) > 1 else parts[0])
    if comm is not None:
        yield comm, frames


def main():
    label, hz, requests = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    counts = {}
    total = 0
    for comm, frames in samples(sys.stdin):
        bucket = bucket_of(comm, frames)
        counts[bucket] = counts.get(bucket, 0) + 1
        total += 1
    per_request = lambda n: n / hz / requests * 1e6
    print(f"{label}: {per_request(total):.1f} µs of gateway CPU per request ({total} samples, {requests:.0f} requests)")
    for bucket, n in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"  {per_request(n):7.1f} µs  {100 * n / total:5.1f}%  {bucket}")


if __name__ == "__main__":
    main()
