# Records when each task starts and when each host's result arrives, as JSON lines in the file
# named by PGPLAY_TIMES (bench/ansible.ts reads it). ansible-core alone has no timing callback
# (profile_tasks and json live in the ansible.posix collection), hence this one.
import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'pgplay_times'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._out = open(os.environ['PGPLAY_TIMES'], 'a', buffering=1)

    def _write(self, **record):
        record['t'] = time.time()
        self._out.write(json.dumps(record) + '\n')

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._write(event='task_start', task=task.get_name())

    def _result(self, status, result):
        self._write(event='host_result', task=result._task.get_name(), host=result._host.get_name(), status=status,
                    changed=bool(result._result.get('changed')))

    def v2_runner_on_ok(self, result):
        self._result('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result('failed', result)

    def v2_runner_on_unreachable(self, result):
        self._result('unreachable', result)

    def v2_runner_on_skipped(self, result):
        self._result('skipped', result)

    def v2_playbook_on_stats(self, stats):
        self._write(event='end')
