#!/usr/bin/env python3
"""A contract server for sdc-sparkjob's databricks launcher.

It plays a Databricks workspace because no real implementation of the
Jobs API can run here: it implements, as the public Jobs API 2.1
reference describes them, POST /api/2.1/jobs/run-now, POST
/api/2.1/jobs/runs/submit, GET /api/2.1/jobs/runs/get, POST
/api/2.1/jobs/runs/cancel and the OAuth machine-to-machine token
endpoint POST /oidc/v1/token.

 - Runs go through the life-cycle states PENDING, RUNNING, TERMINATING
   and TERMINATED, one step a runs/get, and end with the result state
   of their job (--job ID=TYPE:RESULT) or, for one-time runs, FAILED
   when the task's notebook, file or class names "FAIL", else SUCCESS.
 - An idempotency_token already seen returns the run it made, and no
   new run.
 - Requests need "Authorization: Bearer" with --token or a token the
   token endpoint gave (401 with the API's error body otherwise); the
   token endpoint wants --client ID:SECRET as basic authentication.
 - Every request body is checked against the documented schema: an
   unknown field or a wrong type is 400 INVALID_PARAMETER_VALUE, and
   is recorded as a violation, as is any request the API does not
   have, so that a test fails on any.
 - Faults on demand, through POST /_test/fault: {"path": "run-now",
   "status": 429, "retry_after": 1, "count": 2, "commit": false}
   answers the next count requests to that endpoint with status (and
   Retry-After); with "commit": true the request is carried out first
   (the run is made) and then answered with the fault, as a request
   whose answer was lost.
 - GET /_test/state: the runs (with what each was given), the requests
   (path, time, status) and the violations, as JSON.

Usage: databricks-server.py --port-file FILE [--token T]
    [--client ID:SECRET] [--token-lifetime SECONDS] [--job ID=TYPE:RESULT]...
"""
import argparse
import base64
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"runs": {}, "requests": [], "violations": [], "tokens": {}}
FAULTS = []
IDEMPOTENCY = {}
NEXT_RUN = [1000]
ARGS = None
LIFE_CYCLE = ["PENDING", "RUNNING", "TERMINATING", "TERMINATED"]
PARAMS_MAX = 10000


class Invalid(Exception):
    pass


# ----------------------------------------------------------- the schema
def t_str(v, where):
    if not isinstance(v, str):
        raise Invalid("%s: expected a string" % where)


def t_int(v, where):
    if isinstance(v, bool) or not isinstance(v, int):
        raise Invalid("%s: expected an integer" % where)


def t_bool(v, where):
    if not isinstance(v, bool):
        raise Invalid("%s: expected a boolean" % where)


def t_any_object(v, where):
    if not isinstance(v, dict):
        raise Invalid("%s: expected an object" % where)


def t_any_array(v, where):
    if not isinstance(v, list):
        raise Invalid("%s: expected an array" % where)


def t_str_list(v, where):
    t_any_array(v, where)
    for i, x in enumerate(v):
        t_str(x, "%s[%d]" % (where, i))


def t_str_map(v, where):
    t_any_object(v, where)
    for k, x in v.items():
        t_str(x, "%s.%s" % (where, k))


def t_enum(*names):
    def check(v, where):
        t_str(v, where)
        if v not in names:
            raise Invalid("%s: not one of %s" % (where, ", ".join(names)))
    return check


def t_object(fields, required=(), one_of=()):
    def check(v, where):
        t_any_object(v, where)
        for k in v:
            if k not in fields:
                raise Invalid("%s: unknown field '%s'" % (where, k))
        for k in required:
            if k not in v:
                raise Invalid("%s: missing required field '%s'"
                              % (where, k))
        if one_of and sum(k in v for k in one_of) != 1:
            raise Invalid("%s: exactly one of %s" % (where,
                                                     ", ".join(one_of)))
        for k, x in v.items():
            fields[k](x, "%s.%s" % (where, k) if where else k)
    return check


def t_array_of(item):
    def check(v, where):
        t_any_array(v, where)
        for i, x in enumerate(v):
            item(x, "%s[%d]" % (where, i))
    return check


def t_idempotency_token(v, where):
    t_str(v, where)
    if len(v) > 64:
        raise Invalid("%s: more than 64 characters" % where)


def t_task_key(v, where):
    t_str(v, where)
    if not re.fullmatch(r"[\w\-]{1,100}", v):
        raise Invalid("%s: not a task key" % where)


SOURCE = t_enum("WORKSPACE", "GIT")
QUEUE = t_object({"enabled": t_bool}, required=("enabled",))
RUN_NOW = t_object({
    "job_id": t_int,
    "idempotency_token": t_idempotency_token,
    "jar_params": t_str_list,
    "notebook_params": t_str_map,
    "python_params": t_str_list,
    "spark_submit_params": t_str_list,
    "python_named_params": t_str_map,
    "sql_params": t_str_map,
    "dbt_commands": t_str_list,
    "job_parameters": t_str_map,
    "pipeline_params": t_object({"full_refresh": t_bool}),
    "queue": QUEUE,
    "only": t_str_list,
    "performance_target": t_enum("PERFORMANCE_OPTIMIZED", "STANDARD"),
}, required=("job_id",))
LIBRARY = t_object({
    "jar": t_str, "egg": t_str, "whl": t_str, "requirements": t_str,
    "pypi": t_any_object, "maven": t_any_object, "cran": t_any_object,
}, one_of=("jar", "egg", "whl", "requirements", "pypi", "maven", "cran"))
NEW_CLUSTER = t_object({
    "spark_version": t_str, "node_type_id": t_str,
    "driver_node_type_id": t_str, "num_workers": t_int,
    "autoscale": t_object({"min_workers": t_int, "max_workers": t_int}),
    "spark_conf": t_str_map, "spark_env_vars": t_str_map,
    "custom_tags": t_str_map, "aws_attributes": t_any_object,
    "azure_attributes": t_any_object, "gcp_attributes": t_any_object,
    "instance_pool_id": t_str, "policy_id": t_str,
    "data_security_mode": t_str, "single_user_name": t_str,
    "runtime_engine": t_enum("STANDARD", "PHOTON"),
    "init_scripts": t_any_array, "ssh_public_keys": t_str_list,
    "enable_elastic_disk": t_bool, "cluster_log_conf": t_any_object,
    "apply_policy_default_values": t_bool,
}, required=("spark_version",))
TASK = t_object({
    "task_key": t_task_key,
    "description": t_str,
    "depends_on": t_array_of(t_object({"task_key": t_str,
                                       "outcome": t_str},
                                      required=("task_key",))),
    "existing_cluster_id": t_str,
    "new_cluster": NEW_CLUSTER,
    "environment_key": t_str,
    "libraries": t_array_of(LIBRARY),
    "notebook_task": t_object({"notebook_path": t_str,
                               "base_parameters": t_str_map,
                               "source": SOURCE, "warehouse_id": t_str},
                              required=("notebook_path",)),
    "spark_python_task": t_object({"python_file": t_str,
                                   "parameters": t_str_list,
                                   "source": SOURCE},
                                  required=("python_file",)),
    "spark_jar_task": t_object({"main_class_name": t_str,
                                "parameters": t_str_list, "jar_uri": t_str,
                                "run_as_repl": t_bool}),
    "spark_submit_task": t_object({"parameters": t_str_list}),
    "python_wheel_task": t_any_object,
    "timeout_seconds": t_int,
    "max_retries": t_int,
    "min_retry_interval_millis": t_int,
    "retry_on_timeout": t_bool,
    "run_if": t_str,
    "email_notifications": t_any_object,
    "webhook_notifications": t_any_object,
    "notification_settings": t_any_object,
    "health": t_any_object,
    "disable_auto_optimization": t_bool,
}, required=("task_key",), one_of=("notebook_task", "spark_python_task",
                                   "spark_jar_task", "spark_submit_task",
                                   "python_wheel_task"))
SUBMIT = t_object({
    "run_name": t_str,
    "tasks": t_array_of(TASK),
    "idempotency_token": t_idempotency_token,
    "timeout_seconds": t_int,
    "git_source": t_any_object,
    "access_control_list": t_any_array,
    "email_notifications": t_any_object,
    "webhook_notifications": t_any_object,
    "notification_settings": t_any_object,
    "health": t_any_object,
    "environments": t_any_array,
    "queue": QUEUE,
    "run_as": t_any_object,
    "budget_policy_id": t_str,
}, required=("tasks",))
CANCEL = t_object({"run_id": t_int}, required=("run_id",))


def check_run_now(body):
    RUN_NOW(body, "")
    if "jar_params" in body and "notebook_params" in body:
        raise Invalid("jar_params cannot be specified in conjunction with "
                      "notebook_params")
    for k in ("jar_params", "notebook_params", "python_params",
              "job_parameters"):
        if k in body and len(json.dumps({k: body[k]})) > PARAMS_MAX:
            raise Invalid("%s: more than %d bytes" % (k, PARAMS_MAX))


def check_submit(body):
    SUBMIT(body, "")
    if not body["tasks"]:
        raise Invalid("tasks: at least one task")
    for i, t in enumerate(body["tasks"]):
        if "existing_cluster_id" in t and "new_cluster" in t:
            raise Invalid("tasks[%d]: existing_cluster_id and new_cluster"
                          % i)


# ------------------------------------------------------------ the server
class Answer(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def error(status, code, message):
    return Answer(status, {"error_code": code, "message": message})


def violation(what):
    with LOCK:
        STATE["violations"].append(what)


def new_run(kind, job_id, given, result, token):
    with LOCK:
        if token is not None and token in IDEMPOTENCY:
            return IDEMPOTENCY[token], False
        run_id = NEXT_RUN[0]
        NEXT_RUN[0] += 1
        STATE["runs"][str(run_id)] = {
            "run_id": run_id, "job_id": job_id, "run_type": kind,
            "given": given, "result": result, "step": 0, "polls": 0,
            "cancelled": False, "idempotency_token": token,
            "start_time": int(time.time() * 1000)}
        if token is not None:
            IDEMPOTENCY[token] = run_id
        return run_id, True


def take_fault(name):
    with LOCK:
        for f in FAULTS:
            if f["path"] == name and f["count"] > 0:
                f["count"] -= 1
                return dict(f)
    return None


def fault_answer(f):
    headers = {}
    if f.get("retry_after") is not None:
        headers["Retry-After"] = str(f["retry_after"])
    codes = {429: "REQUEST_LIMIT_EXCEEDED", 503: "TEMPORARILY_UNAVAILABLE"}
    return Answer(f["status"], {
        "error_code": codes.get(f["status"], "INTERNAL_ERROR"),
        "message": "injected %d" % f["status"]}, headers)


def run_now(body):
    check_run_now(body)
    job = ARGS.jobs.get(body["job_id"])
    if job is None:
        raise error(400, "INVALID_PARAMETER_VALUE",
                    "Job %d does not exist." % body["job_id"])
    given = {k: v for k, v in body.items()
             if k not in ("job_id", "idempotency_token")}
    run_id, _ = new_run("JOB_RUN", body["job_id"], given, job[1],
                        body.get("idempotency_token"))
    return {"run_id": run_id, "number_in_job": run_id}


def submit(body):
    check_submit(body)
    task = body["tasks"][0]
    what = json.dumps([task.get(k) for k in ("notebook_task",
                                             "spark_python_task",
                                             "spark_jar_task")])
    result = "FAILED" if "FAIL" in what else "SUCCESS"
    run_id, _ = new_run("SUBMIT_RUN", None, body, result,
                        body.get("idempotency_token"))
    return {"run_id": run_id}


def run_view(run):
    step = min(run["step"], len(LIFE_CYCLE) - 1)
    life = LIFE_CYCLE[step]
    state = {"life_cycle_state": life, "state_message": "",
             "user_cancelled_or_timedout": run["cancelled"]}
    if life == "TERMINATED":
        result = "CANCELED" if run["cancelled"] else run["result"]
        state["result_state"] = result
        if result == "FAILED":
            state["state_message"] = "Task sdc_sparkjob failed with message:" \
                " Workload failed, see run output for details."
        elif result == "CANCELED":
            state["state_message"] = "Run cancelled."
    elif life == "PENDING":
        state["state_message"] = "Waiting for cluster"
    view = {"run_id": run["run_id"], "number_in_job": run["run_id"],
            "creator_user_name": "someone@example.com", "state": state,
            "start_time": run["start_time"], "setup_duration": 0,
            "execution_duration": 0, "cleanup_duration": 0,
            "end_time": 0, "run_type": run["run_type"],
            "run_page_url": "http://workspace.invalid/#job/run/%d"
            % run["run_id"], "tasks": [
                {"task_key": "sdc_sparkjob", "run_id": run["run_id"] + 1,
                 "state": state}]}
    if run["job_id"] is not None:
        view["job_id"] = run["job_id"]
        view["overriding_parameters"] = run["given"]
    return view


def runs_get(query):
    ids = query.get("run_id", [])
    if len(ids) != 1 or not re.fullmatch(r"[0-9]+", ids[0]):
        raise Invalid("run_id: expected one integer")
    with LOCK:
        run = STATE["runs"].get(ids[0])
        if run is None:
            raise error(400, "INVALID_PARAMETER_VALUE",
                        "Run %s does not exist." % ids[0])
        run["polls"] += 1
        view = run_view(run)
        if run["step"] < len(LIFE_CYCLE) - 1:
            run["step"] += 1
    return view


def runs_cancel(body):
    CANCEL(body, "")
    with LOCK:
        run = STATE["runs"].get(str(body["run_id"]))
        if run is None:
            raise error(400, "INVALID_PARAMETER_VALUE",
                        "Run %d does not exist." % body["run_id"])
        if run["step"] < len(LIFE_CYCLE) - 1:
            run["cancelled"] = True
            run["step"] = len(LIFE_CYCLE) - 1
    return {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def bearer_ok(self):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return False
        token = auth[len("Bearer "):]
        if ARGS.token is not None and token == ARGS.token:
            return True
        with LOCK:
            until = STATE["tokens"].get(token)
        return until is not None and time.time() < until

    def oauth(self, raw):
        auth = self.headers.get("Authorization", "")
        form = urllib.parse.parse_qs(raw.decode("utf-8", "replace"))
        try:
            user = base64.b64decode(auth[len("Basic "):]).decode()
        except Exception:
            user = ""
        if form != {"grant_type": ["client_credentials"],
                    "scope": ["all-apis"]}:
            violation("token endpoint: form %r" % form)
            raise Answer(400, {"error": "invalid_request",
                               "error_description": "bad form"})
        if not auth.startswith("Basic ") or user != ARGS.client:
            raise Answer(401, {"error": "invalid_client",
                               "error_description":
                               "Client authentication failed"})
        token = "oauth-" + secrets.token_hex(16)
        with LOCK:
            STATE["tokens"][token] = time.time() + ARGS.token_lifetime
            STATE.setdefault("tokens_issued", 0)
            STATE["tokens_issued"] += 1
        return {"access_token": token, "token_type": "Bearer",
                "expires_in": ARGS.token_lifetime, "scope": "all-apis"}

    def api(self, method, path, query, raw):
        routes = {("POST", "/api/2.1/jobs/run-now"): ("run-now", run_now),
                  ("POST", "/api/2.1/jobs/runs/submit"): ("runs/submit",
                                                         submit),
                  ("POST", "/api/2.1/jobs/runs/cancel"): ("runs/cancel",
                                                         runs_cancel),
                  ("GET", "/api/2.1/jobs/runs/get"): ("runs/get", None)}
        if (method, path) not in routes:
            violation("%s %s: no such endpoint" % (method, path))
            raise error(404, "ENDPOINT_NOT_FOUND",
                        "No API found for '%s %s'" % (method, path))
        name, fn = routes[(method, path)]
        fault = take_fault(name)
        if fault is not None and not fault.get("commit"):
            raise fault_answer(fault)
        if not self.bearer_ok():
            raise error(401, "UNAUTHENTICATED", "Invalid access token.")
        if fn is None:
            answer = runs_get(query)
        else:
            if not self.headers.get("Content-Type", "").startswith(
                    "application/json"):
                raise Invalid("Content-Type: not application/json")
            try:
                body = json.loads(raw)
            except ValueError as e:
                raise error(400, "MALFORMED_REQUEST",
                            "Could not parse request object: %s" % e)
            answer = fn(body)
        if fault is not None:
            raise fault_answer(fault)
        return answer

    def control(self, method, path, raw):
        if method == "GET" and path == "/_test/state":
            with LOCK:
                return json.loads(json.dumps(STATE))
        if method == "POST" and path == "/_test/fault":
            f = json.loads(raw)
            f.setdefault("count", 1)
            with LOCK:
                FAULTS.append(f)
            return {}
        raise Answer(404, {})

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        raw = self.read_body()
        status = 200
        try:
            if url.path.startswith("/_test/"):
                self.reply(200, self.control(method, url.path, raw))
                return
            if method == "POST" and url.path == "/oidc/v1/token":
                answer = self.oauth(raw)
            else:
                answer = self.api(method, url.path, query, raw)
            self.reply(200, answer)
        except Invalid as e:
            status = 400
            violation("%s %s: %s" % (method, url.path, e))
            self.reply(400, {"error_code": "INVALID_PARAMETER_VALUE",
                             "message": str(e)})
        except Answer as a:
            status = a.status
            self.reply(a.status, a.body, a.headers)
        finally:
            if not url.path.startswith("/_test/"):
                with LOCK:
                    STATE["requests"].append({
                        "method": method, "path": url.path,
                        "time": time.monotonic(), "status": status})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")


def parse_job(text):
    m = re.fullmatch(r"([0-9]+)=(notebook|jar|python):(SUCCESS|FAILED)",
                     text)
    if m is None:
        raise argparse.ArgumentTypeError("ID=TYPE:RESULT")
    return int(m.group(1)), (m.group(2), m.group(3))


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--token")
    p.add_argument("--client", help="ID:SECRET")
    p.add_argument("--token-lifetime", type=int, default=3600)
    p.add_argument("--job", type=parse_job, action="append", default=[])
    ARGS = p.parse_args()
    ARGS.jobs = dict(ARGS.job)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, ARGS.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
