"""Executing notebooks: a report notebook with papermill in its own kernel, the school-card
notebook for many schools in a few long-lived kernels (a kernel per core, not per card).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
from pathlib import Path

import papermill as pm
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from papermill.exceptions import PapermillExecutionError
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from shnor.errors import UserError

KERNEL = "python3"


CELL_TIMEOUT = 600  # seconds per notebook cell; a stuck cell fails the run instead of hanging


KERNELS = min(2, os.cpu_count() or 1)  # kernels run in parallel; the SPEC's machine has 2 cores


# The kernel's own log would clutter the progress lines: its start-up warning about unencrypted
# localhost TCP (the connection is still authenticated with the key of the connection file) and
# «KeyboardInterrupt caught in kernel» when the client interrupts it on shutdown. Errors of the
# executed code reach the runner through the messaging protocol, not through this log.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]


def _raise_notebook_error(name: str, ename: str, evalue: str) -> None:
    if ename in ("UserError", "ValidationFailed"):
        raise UserError(evalue)
    raise RuntimeError(f"блокнот «{name}» завершился с ошибкой {ename}: {evalue}")


def execute_report(src: Path, dst: Path, parameters: dict, cwd: Path):
    """Execute one report notebook with papermill (its own kernel started in ``cwd``); return
    the executed nb.

    The kernel gets its working folder through nbclient's ``resources`` and not papermill's
    ``cwd``: that one changes the working folder of this whole process (``os.chdir``) while
    the other threads of the run write files, and two reports executing side by side restore
    each other's folder wrongly.
    """
    # papermill warns that it cannot parse the commented parameters cell; that is harmless
    logging.getLogger("papermill").setLevel(logging.ERROR)
    try:
        return pm.execute_notebook(
            str(Path(src).resolve()), str(Path(dst).resolve()), parameters=parameters,
            kernel_name=KERNEL, resources={"metadata": {"path": str(Path(cwd).resolve())}},
            execution_timeout=CELL_TIMEOUT, progress_bar=False, log_output=False,
            extra_arguments=KERNEL_ARGUMENTS,
        )
    except PapermillExecutionError as exc:
        _raise_notebook_error(src.name, exc.ename, exc.evalue)


# Runs before each card: removes every name the previous card defined. (``%reset -f`` would do
# too, but it runs a full garbage collection, ~0.2 s per card with the tables in memory.)
RESET_CODE = """\
_shnor_ns = get_ipython().user_ns
_shnor_ns.setdefault("_shnor_base", set(_shnor_ns) | {"_shnor_base", "_shnor_name"})
for _shnor_name in set(_shnor_ns) - _shnor_ns["_shnor_base"]:
    del _shnor_ns[_shnor_name]"""


async def _card_worker(template, jobs, cwd: Path, on_done) -> None:
    """Execute ``template`` once per (key, parameters) job in ONE kernel, clearing the user
    namespace between cards; ``on_done(key, nb)`` receives each executed notebook."""
    km = AsyncKernelManager(kernel_name=KERNEL)
    await km.start_kernel(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS)
    kc = km.client()  # one client for all cards: a new one costs a readiness handshake
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        for key, parameters in jobs:
            nb = parameterize_notebook(copy.deepcopy(template), parameters,
                                       kernel_name=KERNEL, language="python")
            # The reset runs at the top of the first code cell (one round trip fewer than a
            # cell of its own); the saved notebook gets the cell's own source back.
            first = next(c for c in nb.cells if c.cell_type == "code")
            source = first.source
            first.source = f"{RESET_CODE}\n{source}"
            client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT, kernel_name=KERNEL,
                                    resources={"metadata": {"path": str(cwd)}})
            client.kc = kc
            try:
                await client.async_execute()
            except CellExecutionError as exc:
                _raise_notebook_error(f"{template.metadata.get('shnor', {}).get('title')} "
                                      f"{key}", exc.ename, exc.evalue)
            first.source = source
            on_done(key, nb)
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


def execute_cards(template_path: Path, jobs: list[tuple[str, dict]], cwd: Path, on_done,
                  kernels: int = KERNELS) -> None:
    """Execute the card notebook for every job on ``kernels`` long-lived kernels in parallel
    (jobs dealt round-robin); a kernel start and the imports are paid once per kernel."""
    template = load_notebook_node(str(template_path))  # with the metadata papermill expects
    cwd = Path(cwd).resolve()  # the kernels' working folder (this process keeps its own)
    shares = [jobs[i::kernels] for i in range(max(1, min(kernels, len(jobs))))]

    async def run_all() -> None:
        await asyncio.gather(*(_card_worker(template, share, cwd, on_done) for share in shares))

    asyncio.run(run_all())
