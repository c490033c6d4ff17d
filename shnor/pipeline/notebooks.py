"""Executing notebooks: a report notebook with papermill in its own kernel, the school-card
notebook for many schools in long-lived kernels that take batches of cards from a shared queue
(a request per batch, not per card or cell).
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
from pathlib import Path

import papermill as pm
from jupyter_client.manager import AsyncKernelManager
from papermill.exceptions import PapermillExecutionError

from shnor.errors import UserError
from shnor.reporting.cardbook import KERNEL

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


CARD_BATCH = 100  # cards per kernel request: progress and errors are told per batch


async def _card_worker(batches: queue.SimpleQueue, cwd: Path, on_batch) -> None:
    """Send the batches of ``batches`` (keyword arguments of
    :func:`shnor.reporting.cardbook.render_cards`) to ONE kernel, a request each, until none is
    left (other workers may take them too)."""
    if batches.empty():
        return
    km = AsyncKernelManager(kernel_name=KERNEL)
    _live.add(km)
    try:
        await km.start_kernel(cwd=str(cwd), extra_arguments=KERNEL_ARGUMENTS)
    except BaseException:
        _live.discard(km)
        raise
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        while True:
            try:
                batch = batches.get_nowait()
            except queue.Empty:
                break
            # no name is left in the kernel's namespace: the cards clear theirs
            code = ("__import__('shnor.reporting.cardbook', fromlist=['render_cards'])"
                    f".render_cards(**{batch!r})")
            reply = await kc.execute_interactive(code, store_history=False,
                                                 timeout=CELL_TIMEOUT,
                                                 output_hook=lambda msg: None)
            content = reply["content"]
            if content["status"] != "ok":
                _raise_notebook_error("school_card.ipynb", content.get("ename", ""),
                                      content.get("evalue", ""))
            on_batch(len(batch["schools"]))
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        _live.discard(km)


_live: set = set()  # the card kernels running now (kill_card_kernels)


def kill_card_kernels() -> None:
    """Kill the card kernels still running: a run that is interrupted stops at once and leaves
    no kernel behind (a kernel still starting would not notice that its runner is gone)."""
    for km in list(_live):
        process = getattr(km.provisioner, "process", None)
        if process is not None and process.poll() is None:
            process.kill()


def card_batches(template_path: Path, parameters: dict, schools: dict[str, str],
                 html_dir: Path, meta: str, home: str, notebook: Path) -> queue.SimpleQueue:
    """The requests that write the card page of every school of ``schools`` (code → name) into
    ``html_dir``: batches of :data:`CARD_BATCH` schools (:func:`render_card_queue` sends them);
    the executed notebook of the first school is saved as ``notebook``."""
    ids = list(schools)
    common = {"template": str(Path(template_path).resolve()), "parameters": parameters,
              "html_dir": str(Path(html_dir).resolve()), "meta": meta, "home": home}
    batches: queue.SimpleQueue = queue.SimpleQueue()
    for i in range(0, len(ids), CARD_BATCH):
        batches.put({**common, "schools": {s: schools[s] for s in ids[i:i + CARD_BATCH]},
                     "notebook": str(Path(notebook).resolve()) if i == 0 else None})
    return batches


def render_card_queue(batches: queue.SimpleQueue, cwd: Path, on_batch=lambda n: None,
                      kernels: int = 1) -> None:
    """Render the batches of :func:`card_batches` on ``kernels`` kernels started in ``cwd``
    until none is left; ``on_batch(n)`` after each batch (from any thread that renders)."""
    async def run_all() -> None:
        await asyncio.gather(*(_card_worker(batches, Path(cwd).resolve(), on_batch)
                               for _ in range(max(1, kernels))))

    asyncio.run(run_all())
