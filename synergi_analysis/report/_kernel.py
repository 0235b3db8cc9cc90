"""A warm IPython kernel: started once per worker, reset to a fresh state between reports.

`_kernel_snapshot` and `_kernel_reset` run inside the kernel; `_Kernel` drives
it from the parent.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from typing import Any

KERNEL_NAME = "python3"

#: How the inline backend draws a chart into a report (besides PNG at the figure's dpi).
INLINE_FIGURE_KWARGS = {"bbox_inches": "tight"}


_KERNEL_STATE: dict[str, Any] = {}

# What the parent sends the kernel: import this module there and call one function.
# The reset clears the namespace it runs in, so no name is left behind.
_SNAPSHOT = ("from synergi_analysis.report._kernel import _kernel_snapshot\n"
             "_kernel_snapshot({folder}, {modules})")
_RESET = "from synergi_analysis.report._kernel import _kernel_reset\n_kernel_reset({cwd})"


# Imported once per kernel, so each report starts with them loaded; `warm_modules`
# adds every module the batch's notebooks import.
_WARM_IMPORTS = ("pandas", "matplotlib.pyplot", "seaborn", "synergi_analysis.load",
                 "synergi_analysis.patterns", "synergi_analysis.plotting",
                 "synergi_analysis.ranking")


def warm_modules(sources: Iterable[str]) -> list[str]:
    r"""The modules a kernel imports before its first report: the usual ones and every
    module the notebooks (JSON ``sources``) import in their code cells.

    Examples
    --------
    >>> import json
    >>> nb = {"cells": [{"cell_type": "code", "metadata": {},
    ...                  "source": "import scipy.stats\nfrom . import x\nfrom numpy import pi"}]}
    >>> warm_modules([json.dumps(nb)])[-2:]
    ['scipy.stats', 'numpy']
    """
    import ast
    import json

    modules = dict.fromkeys(_WARM_IMPORTS)
    for source in sources:
        try:
            cells = json.loads(source)["cells"]
        except (ValueError, KeyError, TypeError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            try:
                tree = ast.parse("".join(cell.get("source", "")))
            except SyntaxError:  # IPython syntax (magics): the kernel will say
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules.update(dict.fromkeys(alias.name for alias in node.names))
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules[node.module] = None
    return list(modules)


def _inline_backend():
    try:
        from matplotlib_inline.config import InlineBackend
    except ImportError:  # pragma: no cover - ipykernel always brings it
        return None
    return InlineBackend.instance()


_INLINE_TRAITS = ("figure_formats", "print_figure_kwargs", "close_figures", "rc")


def _watch_parent(folder: str) -> None:
    """Remove the kernel's folder and exit as soon as the process that started it is gone.

    ipykernel notices a dead parent too, but leaves the connection file and
    sockets behind; a run killed with SIGKILL cannot remove them itself.
    """
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.1)
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(1)

    threading.Thread(target=watch, name="synergi-parent-watch", daemon=True).start()


def _kernel_snapshot(folder: str | None = None, modules: Iterable[str] = _WARM_IMPORTS) -> None:
    """Record the state a fresh kernel has, after the warm imports (runs in the kernel)."""
    import copy
    import gc
    import importlib
    import warnings

    import matplotlib

    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - the notebook importing it will report it
            pass
    inline = _inline_backend()
    if inline is not None:
        inline.print_figure_kwargs = dict(INLINE_FIGURE_KWARGS)
    _KERNEL_STATE.update(
        rc=matplotlib.rcParams.copy(),
        backend=matplotlib.get_backend(),
        path=list(sys.path),
        environ=dict(os.environ),
        warnings=list(warnings.filters),
        inline={t: copy.copy(getattr(inline, t)) for t in _INLINE_TRAITS} if inline else {},
    )
    if folder is not None:
        _watch_parent(folder)
    # What the imports made lives as long as the kernel: keep it out of every
    # collection, so the collection in each reset walks only what a report made.
    gc.collect()
    gc.freeze()


def _kernel_reset(cwd: str) -> None:
    """Give the next report the kernel as it was fresh (runs in the kernel).

    Clears the user namespace, closes figures and restores matplotlib's
    rcParams (and with them any seaborn theme), the backend and the inline
    backend's settings, pandas options, warning filters, ``sys.path``, the
    environment and the working directory; seeds ``random`` and NumPy.
    """
    import copy
    import random
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from IPython import get_ipython

    state = _KERNEL_STATE
    plt.close("all")
    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=False)
    if matplotlib.get_backend() != state["backend"]:
        plt.switch_backend(state["backend"])
    inline = _inline_backend()
    for trait, value in state["inline"].items():
        setattr(inline, trait, copy.copy(value))  # a copy: a report may change it in place
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.clear()
        matplotlib.rcParams.update(state["rc"])
        pd.reset_option("all")
    warnings.filters[:] = state["warnings"]
    getattr(warnings, "_filters_mutated", lambda: None)()
    sys.path[:] = state["path"]
    os.environ.clear()
    os.environ.update(state["environ"])
    os.chdir(cwd)
    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 - the global state is what a notebook's np.random uses


def _warm_engine():
    """A papermill engine that executes on a kernel the worker keeps warm."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, kernel=None, **kwargs):
            client = PapermillNotebookClient(
                nb_man, km=kernel.km, timeout=execution_timeout,
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            # A client given both km and kc neither starts nor shuts down the kernel.
            client.kc = kernel.kc
            return client.execute()

    papermill_engines.register("synergi-warm", WarmKernelEngine)
    return "synergi-warm"


_FOLDER_PREFIX = "synergi-kernel-"
_LOCK = "live.lock"


def _lock(folder: str):
    """Hold a lock on ``folder`` while this process lives (released however it ends)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no lock, no stale-folder cleanup
        return None
    fh = open(os.path.join(folder, _LOCK), "w")  # noqa: SIM115 - held open on purpose
    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fh


def _remove_stale_folders(root: str | None = None, *, grace: float = 60.0) -> list[str]:
    """Remove kernel folders left by runs that were killed; returns what was removed.

    A run holds a lock on each of its kernel folders; a folder whose lock can be
    taken belongs to no live run. A folder changed in the last ``grace`` seconds
    is left alone whatever its lock says (its run may be about to take it), and
    so is one without a lock file (not made by this code).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return []
    import time

    root = root or tempfile.gettempdir()
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(_FOLDER_PREFIX):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat().st_uid != os.getuid():
                continue
            if time.time() - entry.stat().st_mtime < grace:
                continue
            with open(os.path.join(entry.path, _LOCK), "rb") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a live run holds it
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.path)
    return removed


class _Kernel:
    """One IPython kernel started from this environment, kept warm across reports.

    Everything the kernel needs on disk (its connection file and sockets) lives in
    one private temporary folder; once kernel and client are connected only a lock
    file is left there. The folder is removed when the kernel stops, by the kernel
    itself when the process that started it dies, or else by the next run.
    Creating the object launches the kernel; `wait` blocks until it is ready, so
    the caller can do other work while the kernel starts.
    """

    def __init__(self, cwd: str, modules: Iterable[str] = _WARM_IMPORTS):
        from ipykernel.kernelspec import RESOURCES, get_kernel_dict
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
        from jupyter_core.utils import run_sync

        class ThisPython(KernelSpecManager):
            """Always this interpreter's ipykernel, whatever kernels a user registered."""

            def get_kernel_spec(self, kernel_name):
                return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())

        _remove_stale_folders()
        env = dict(os.environ)
        # The inline backend puts every chart into the notebook as a PNG, whatever
        # backend the calling process chose (tests run with Agg).
        env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
        # Unix sockets in a private folder: no TCP port, nothing others on the machine reach.
        self.sockets = tempfile.mkdtemp(prefix=_FOLDER_PREFIX)
        self.km = None
        self.kc = None
        self.ready = False
        self.modules = list(modules)
        self._run_sync = run_sync
        try:
            self._held = _lock(self.sockets)
            self.km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ThisPython(),
                                    transport="ipc", ip=os.path.join(self.sockets, "k"),
                                    connection_file=os.path.join(self.sockets, "kernel.json"),
                                    client_class="jupyter_client.asynchronous.AsyncKernelClient")
            # No history database: parallel kernels would contend for one SQLite file.
            self.km.start_kernel(cwd=cwd, env=env,
                                 extra_arguments=["--HistoryManager.enabled=False"])
            self.kc = self.km.client()
            self.kc.start_channels()
        except BaseException:
            self.shutdown()
            raise

    def wait(self) -> None:
        """Block until the kernel answers, then warm it up (once)."""
        if self.ready:
            return
        try:
            self._run_sync(self.kc.wait_for_ready)(timeout=60)
            self.run(_SNAPSHOT.format(folder=repr(self.sockets), modules=repr(self.modules)))
        except BaseException:
            self.shutdown()
            raise
        self.ready = True
        # Kernel and client are connected: the connection file and the socket files were
        # only the rendezvous. Gone now, they cannot be left behind, however this ends.
        for entry in os.scandir(self.sockets):
            if entry.name != _LOCK:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)

    def run(self, code: str, timeout: float = 120) -> None:
        """Run setup code; raise RuntimeError with the kernel's error if it fails."""
        reply = self._run_sync(self.kc.execute_interactive)(
            code, store_history=False, timeout=timeout, output_hook=lambda msg: None)
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"kernel setup failed: {content.get('ename')}: "
                               f"{content.get('evalue')}")

    def reset(self, cwd: str) -> None:
        self.wait()
        # No name is left behind: the reset clears the namespace it runs in.
        self.run(_RESET.format(cwd=repr(cwd)))

    def shutdown(self) -> None:
        """Stop the kernel and remove its folder; safe from any thread and more than once."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        except Exception:  # noqa: BLE001 - best effort while tearing down
            pass
        try:
            if self.km is not None and self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.sockets, ignore_errors=True)
        held, self._held = getattr(self, "_held", None), None
        if held is not None:
            held.close()
