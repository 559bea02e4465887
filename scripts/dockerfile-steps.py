#!/usr/bin/env python3
"""Reads one stage of a Dockerfile and prints it as shell calls, so that
scripts/container-check.sh can replay exactly that stage without a Docker engine.

    dockerfile-steps.py DOCKERFILE STAGE            # df_from/df_run/df_copy/... lines
    dockerfile-steps.py DOCKERFILE STAGE --swift-build
        # the argv (shell-quoted) of the first `swift build` in that stage's RUN lines

Only the instructions a simple, reproducible stage needs are accepted; anything else
(ADD, ONBUILD, shell-form ENTRYPOINT/CMD/HEALTHCHECK, variables in paths) is an error,
so the replay can never silently differ from what `docker build` would do.
Each printed line is one call; arguments are POSIX-shell quoted:
    df_from IMAGE
    df_run COMMAND                  (what `docker build` runs as /bin/sh -c COMMAND)
    df_packages PKG...              (the packages of the stage's `apt-get install`s)
    df_workdir PATH
    df_copy FROM_STAGE_OR_EMPTY DEST SRC...
    df_env KEY VALUE
    df_volume PATH
    df_user USER
    df_expose PORT
    df_stopsignal SIGNAL
    df_healthcheck ARGV...          (the CMD of HEALTHCHECK, exec form)
    df_entrypoint ARGV...
    df_cmd ARGV...
"""
import json
import shlex
import sys


def fail(message):
    print(f"dockerfile-steps: {message}", file=sys.stderr)
    sys.exit(2)


def logical_lines(text):
    """Joins backslash continuations the way Docker does, dropping comment lines
    (also those inside a continuation) and blank lines."""
    lines, current = [], None
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (current is None and not stripped):
            continue
        if current is not None and not stripped:
            continue
        piece = raw.rstrip()
        continued = piece.endswith("\\")
        if continued:
            piece = piece[:-1]
        current = piece if current is None else current + piece
        if not continued:
            lines.append(current.strip())
            current = None
    if current is not None:
        lines.append(current.strip())
    return lines


def exec_form(value, what):
    try:
        argv = json.loads(value)
    except json.JSONDecodeError:
        fail(f"{what} must be in exec form (a JSON array) so signals reach the process: {value}")
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv) or not argv:
        fail(f"{what} must be a non-empty JSON array of strings: {value}")
    return argv


def no_variables(value, what):
    if "$" in value:
        fail(f"{what} uses a variable, which the replay does not expand: {value}")
    return value


def apt_packages(command):
    """Package names of every `apt-get install` in a RUN command."""
    packages = []
    for segment in command.replace(";", "&&").split("&&"):
        words = shlex.split(segment)
        if len(words) >= 2 and words[0] == "apt-get" and "install" in words:
            after = words[words.index("install") + 1:]
            packages += [w for w in after if not w.startswith("-")]
    return packages


def parse_stage(lines, stage):
    """Returns the (instruction, argument) pairs of the named stage, FROM included."""
    steps, in_stage = [], False
    for line in lines:
        instruction, _, argument = line.partition(" ")
        instruction = instruction.upper()
        argument = argument.strip()
        if instruction == "FROM":
            words = argument.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            in_stage = name == stage
        if in_stage:
            steps.append((instruction, argument))
    if not steps:
        fail(f"no stage named {stage}")
    return steps


def emit(steps):
    q = shlex.quote
    out = []
    for instruction, argument in steps:
        if instruction == "FROM":
            out.append(f"df_from {q(no_variables(argument.split()[0], 'FROM'))}")
        elif instruction == "RUN":
            if argument.startswith("["):
                fail("RUN must be in shell form here")
            out.append(f"df_run {q(argument)}")
            packages = apt_packages(argument)
            if packages:
                out.append("df_packages " + " ".join(q(p) for p in packages))
        elif instruction == "WORKDIR":
            out.append(f"df_workdir {q(no_variables(argument, 'WORKDIR'))}")
        elif instruction == "COPY":
            words = shlex.split(no_variables(argument, "COPY"))
            source_stage = ""
            while words and words[0].startswith("--"):
                flag = words.pop(0)
                if flag.startswith("--from="):
                    source_stage = flag.split("=", 1)[1]
                else:
                    fail(f"COPY flag {flag} is not supported by the replay")
            if len(words) < 2:
                fail(f"COPY needs a source and a destination: {argument}")
            out.append(f"df_copy {q(source_stage)} {q(words[-1])} " + " ".join(q(w) for w in words[:-1]))
        elif instruction == "ENV":
            words = shlex.split(argument)
            if words and "=" not in words[0]:
                words = [f"{words[0]}={' '.join(words[1:])}"]
            for word in words:
                key, sep, value = word.partition("=")
                if not sep:
                    fail(f"ENV expects KEY=VALUE: {argument}")
                out.append(f"df_env {q(key)} {q(no_variables(value, 'ENV'))}")
        elif instruction == "VOLUME":
            paths = json.loads(argument) if argument.startswith("[") else argument.split()
            for path in paths:
                out.append(f"df_volume {q(path)}")
        elif instruction == "USER":
            out.append(f"df_user {q(no_variables(argument, 'USER'))}")
        elif instruction == "EXPOSE":
            for port in argument.split():
                out.append(f"df_expose {q(port)}")
        elif instruction == "STOPSIGNAL":
            out.append(f"df_stopsignal {q(argument)}")
        elif instruction == "HEALTHCHECK":
            head, sep, command = argument.partition("CMD ")
            if not sep:
                fail("HEALTHCHECK must have a CMD")
            argv = exec_form(command.strip(), "HEALTHCHECK CMD")
            out.append("df_healthcheck " + " ".join(q(a) for a in argv))
        elif instruction == "ENTRYPOINT":
            out.append("df_entrypoint " + " ".join(q(a) for a in exec_form(argument, "ENTRYPOINT")))
        elif instruction == "CMD":
            out.append("df_cmd " + " ".join(q(a) for a in exec_form(argument, "CMD")))
        elif instruction in ("LABEL", "ARG"):
            continue
        else:
            fail(f"instruction {instruction} is not supported by the replay")
    return out


def swift_build(steps):
    for instruction, argument in steps:
        if instruction != "RUN":
            continue
        for segment in argument.split("&&"):
            words = shlex.split(segment)
            if words[:2] == ["swift", "build"]:
                return words[1:]
    fail("no `swift build` in that stage")


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] != "--swift-build"):
        fail("usage: dockerfile-steps.py DOCKERFILE STAGE [--swift-build]")
    with open(argv[1], encoding="utf-8") as handle:
        steps = parse_stage(logical_lines(handle.read()), argv[2])
    if len(argv) == 4:
        print(" ".join(shlex.quote(w) for w in swift_build(steps)))
    else:
        print("\n".join(emit(steps)))


if __name__ == "__main__":
    main(sys.argv)
