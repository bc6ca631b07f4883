"""foobar.com's site: a small guestbook.

Writes go to the MySQL/MariaDB primary, reads to a replica (the primary when the
stack has none). Every response names the host that served it, so that load
balancing can be seen from outside.

Settings come from the environment (foobarctl writes them to /etc/foobar/app.env):
  FOOBAR_ENV_FILE     that file's path: read again when a worker loads the app (so a
                      reload, HUP, applies it) and for the primary when a write is refused
  FOOBAR_DB_PRIMARY   address of the primary
  FOOBAR_DB_REPLICA   address of the replica to read from (optional)
  FOOBAR_DB_NAME      database name
  FOOBAR_DB_USER      user
  FOOBAR_DB_PASSWORD  password

A write the server refuses as read-only (a switchover in progress: the old primary
is read-only, the new one about to take writes) is retried for up to
WRITE_RETRY_SECONDS against the primary FOOBAR_ENV_FILE names then, so the client
sees a pause instead of an error (docs/day2.md).
"""
import html
import os
import socket
import time

import pymysql
from flask import Flask, Response, request

app = Flask(__name__)
HOST = socket.gethostname()

SCHEMA = """CREATE TABLE IF NOT EXISTS entries (
  id INT AUTO_INCREMENT PRIMARY KEY,
  author VARCHAR(80) NOT NULL,
  message VARCHAR(500) NOT NULL,
  served_by VARCHAR(64) NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
)"""


# ER_OPTION_PREVENTS_STATEMENT (--read-only) and ER_READ_ONLY_MODE, then
# CR_CONN_HOST_ERROR (the old primary's server gone, as in a failover).
RETRIED_ERRORS = {1290, 1836, 2003}
WRITE_RETRY_SECONDS = 5.0
WRITE_RETRY_SLEEP = 0.1
_primary = None  # the primary the env file named at the last refused write


def read_env_file():
    """NAME='value' lines of FOOBAR_ENV_FILE as it reads now ({} without one)."""
    path = os.environ.get("FOOBAR_ENV_FILE")
    values = {}
    if not path:
        return values
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                name, sep, value = line.strip().partition("=")
                if sep and not name.startswith("#"):
                    values[name] = value.strip("'")
    except OSError:
        pass
    return values


# The environment, overlaid by the env file as it reads when a worker loads the app:
# a reload (HUP) starts workers with what foobarctl last wrote there, although the
# server's own environment is still the one it started with. Secrets come from the
# environment only (their file is not readable by the app's user).
SETTINGS = {**os.environ, **read_env_file()}


def connect(role):
    address = _primary or SETTINGS.get("FOOBAR_DB_PRIMARY", "127.0.0.1")
    if role == "read":
        address = SETTINGS.get("FOOBAR_DB_REPLICA") or address
    return connect_to(address)


def connect_to(address):
    return pymysql.connect(
        host=address,
        user=SETTINGS.get("FOOBAR_DB_USER", "foobar"),
        password=SETTINGS.get("FOOBAR_DB_PASSWORD", ""),
        database=SETTINGS.get("FOOBAR_DB_NAME", "foobar"),
        connect_timeout=3,
        autocommit=True,
    )


@app.after_request
def served_by(response):
    response.headers["X-Served-By"] = HOST
    return response


@app.get("/healthz")
def healthz():
    return Response("ok\n", mimetype="text/plain")


@app.get("/")
def index():
    try:
        with connect("read") as db, db.cursor() as cur:
            cur.execute("SELECT author, message, served_by FROM entries ORDER BY id DESC LIMIT 50")
            rows = cur.fetchall()
    except pymysql.err.ProgrammingError:
        rows = ()  # table not created yet: no entries
    items = "".join(
        f"<li><b>{html.escape(a)}</b>: {html.escape(m)} <small>({html.escape(s)})</small></li>"
        for a, m, s in rows
    )
    return (f"<!doctype html><title>foobar.com</title><h1>foobar.com guestbook</h1>"
            f"<p>served by {html.escape(HOST)}</p><ul>{items}</ul>\n")


def write(statements):
    """Runs statements(cursor) on the primary; a refusal as read-only re-reads the
    primary from the env file and tries again, for up to WRITE_RETRY_SECONDS."""
    global _primary
    deadline = time.monotonic() + WRITE_RETRY_SECONDS
    while True:
        try:
            with connect("write") as db, db.cursor() as cur:
                return statements(cur)
        except pymysql.err.MySQLError as e:
            if not e.args or e.args[0] not in RETRIED_ERRORS or time.monotonic() >= deadline:
                raise
        time.sleep(WRITE_RETRY_SLEEP)
        _primary = read_env_file().get("FOOBAR_DB_PRIMARY") or _primary


def insert_entry(cur, author, message):
    cur.execute(SCHEMA)
    cur.execute("INSERT INTO entries (author, message, served_by) VALUES (%s, %s, %s)",
                (author, message, HOST))
    return cur.lastrowid


@app.post("/entries")
def add_entry():
    author = (request.form.get("author") or "anonymous")[:80]
    message = (request.form.get("message") or "").strip()[:500]
    if not message:
        return Response("message is required\n", status=400, mimetype="text/plain")
    entry_id = write(lambda cur: insert_entry(cur, author, message))
    return Response(f"created {entry_id} on {HOST}\n", status=201, mimetype="text/plain")


@app.get("/entries/<int:entry_id>")
def get_entry(entry_id):
    with connect("read") as db, db.cursor() as cur:
        cur.execute("SELECT author, message FROM entries WHERE id = %s", (entry_id,))
        row = cur.fetchone()
    if row is None:
        return Response("not found\n", status=404, mimetype="text/plain")
    return Response(f"{row[0]}: {row[1]}\n", mimetype="text/plain")
