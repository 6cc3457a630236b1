/**
 * The prelude `run_code` runs before a Python program: an audit hook (PEP 578) that refuses
 * - new processes and native code: fork, exec, spawn, `subprocess`, `os.system`, `ctypes`,
 *   signals to other processes;
 * - files outside the program's temp folder, except that Python's own library (its prefix
 *   and `sys.path` as they are before the program runs) and the system's shared data
 *   (`/usr/lib`, `/usr/share`) may be read. Paths are resolved first, so `..` and
 *   symbolic links do not lead out. This keeps out the user's files, `/etc` and `/proc`,
 *   where parley's own environment (and its API keys) could be read.
 * `_posixsubprocess.fork_exec`, which starts a process without an audit event, is replaced
 * before the program runs.
 */
export const PY_PRELUDE = `import sys, os
def _parley_sandbox():
    import _posixsubprocess
    real = os.path.realpath
    here = real(os.getcwd())
    reads = {here, '/usr/lib', '/usr/lib64', '/usr/share', '/usr/local/lib'}
    for p in [sys.prefix, sys.base_prefix, sys.exec_prefix] + list(sys.path):
        if p:
            reads.add(real(p))
    reads = tuple(sorted(r.rstrip('/') for r in reads))
    writes = (here,)
    devices = ('/dev/null', '/dev/urandom', '/dev/random', '/dev/zero')
    procs = {'os.fork', 'os.forkpty', 'os.system', 'os.exec', 'os.posix_spawn', 'os.spawn',
             'subprocess.Popen', 'pty.spawn', 'ctypes.dlopen', 'ctypes.cdata', 'ctypes.dlsym',
             'os.kill', 'os.killpg', 'os.pidfd_open'}
    changes = {'os.remove': (0,), 'os.rename': (0, 1), 'os.mkdir': (0,), 'os.rmdir': (0,),
               'os.symlink': (0, 1), 'os.link': (0, 1), 'os.chmod': (0,), 'os.chown': (0,),
               'os.truncate': (0,), 'os.utime': (0,), 'os.chdir': (0,), 'os.chroot': (0,),
               'os.mknod': (0,), 'os.mkfifo': (0,), 'os.setxattr': (0,), 'os.removexattr': (0,)}
    lists = {'os.listdir', 'os.scandir', 'os.listxattr', 'os.getxattr'}
    wflags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    def under(p, roots):
        return any(p == r or p.startswith(r + '/') for r in roots)
    def resolve(p):
        if p is None:
            p = '.'
        return real(os.fsdecode(p))
    def deny(what, p):
        raise PermissionError('run_code: ' + what + ' ' + str(p) + ' is outside the sandbox folder')
    def guard(event, args):
        if event in procs:
            raise PermissionError('run_code: ' + event + ' is not allowed in the sandbox')
        if event == 'open':
            path, mode, flags = (list(args) + [None, None, None])[:3]
            if isinstance(path, int):
                return
            p = resolve(path)
            if isinstance(flags, int) and flags >= 0:
                writing = bool(flags & wflags)
            else:
                writing = isinstance(mode, str) and any(c in mode for c in 'wax+')
            if p in devices:
                return
            if writing and not under(p, writes):
                deny('writing', path)
            if not writing and not under(p, reads):
                deny('reading', path)
        elif event in changes:
            for i in changes[event]:
                if i < len(args) and not isinstance(args[i], int) and not under(resolve(args[i]), writes):
                    deny('changing', args[i])
        elif event in lists:
            if args and not isinstance(args[0], int) and not under(resolve(args[0]), reads):
                deny('listing', args[0])
    def no_process(*a, **k):
        raise PermissionError('run_code: starting a process is not allowed in the sandbox')
    _posixsubprocess.fork_exec = no_process
    sys.addaudithook(guard)
_parley_sandbox()
del _parley_sandbox
_src = open('main.py', encoding='utf-8').read()
exec(compile(_src, 'main.py', 'exec'), {'__name__': '__main__'})
`;
