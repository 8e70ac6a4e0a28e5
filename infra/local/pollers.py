"""The local twin's pollers in a process of their own: the table's stream, the task queue (the
workflow's steps) and the page queue (the coalesced builds), each feeding its Lambda handler as
AWS does. Apart from the API's process, so that page rendering and workflow steps under a burst
do not share one interpreter lock with the requests being answered. Started by the runner with
its environment (the local AWS endpoint and the resources' names); it dies with the runner.

    python -m infra.local.pollers STREAM_ARN
"""
from __future__ import annotations

import logging
import signal
import sys
import threading

LONG_POLL_SECONDS = 1  # the queues are long-polled, as Lambda's poller does: a message is taken as it is sent
STREAM_IDLE_SECONDS = 0.1  # the stream is read this often while quiet (at once again while records come)
# On AWS the stream's and the task queue's Lambdas have capacity of their own; here they share two
# cores with the emulator. While a read of the stream brings STREAM_BACKLOG records or more (a
# burst), the task poller waits: new cases' pages and workflow starts first, screening after.
STREAM_BACKLOG = 20
TASK_WORKERS = 2  # workflow steps side by side (concurrent copies of the task Lambda); more took the
# cores from the stream handler, which starts the workflows and writes the pages people wait for


def main() -> int:
    stream_arn = sys.argv[1]
    from infra.local.moto_process import die_with_parent

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the runner, which stops this
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    import boto3

    from chalicelib import bootstrap
    from chalicelib.tasks import handlers
    from infra.local.pumps import QueuePump, StreamPump, run_forever

    settings = bootstrap.deps().settings
    session = boto3.session.Session()
    sqs = session.client("sqs")
    queue = QueuePump(sqs, settings.task_queue_url, handlers.on_task_message, workers=TASK_WORKERS)
    pages = QueuePump(sqs, settings.page_queue_url, handlers.on_page_message, name="on_page_message")
    stream = StreamPump(session.client("dynamodbstreams"), stream_arn, handlers.on_table_change,
                        batch_size=handlers.STREAM_BATCH, failures=(sqs, settings.stream_failure_queue_url))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    backlog = threading.Event()  # the last stream read was a big one: the stream is behind

    def read_stream() -> int:
        records = stream.once()
        (backlog.set if records >= STREAM_BACKLOG else backlog.clear)()
        return records

    def take_tasks() -> int:
        if backlog.is_set():  # workflow steps wait while the pages people wait for are written
            stop.wait(STREAM_IDLE_SECONDS)
            return 0
        return queue.once(LONG_POLL_SECONDS)

    steps = (("task-poller", take_tasks, 0),
             ("stream-poller", read_stream, STREAM_IDLE_SECONDS),
             ("page-poller", lambda: pages.once(LONG_POLL_SECONDS), 0))
    threads = [threading.Thread(target=run_forever, args=(step, stop, idle), name=name, daemon=True)
               for name, step, idle in steps]
    for thread in threads:
        thread.start()
    print("ready", flush=True)
    stop.wait()
    for thread in threads:
        thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
