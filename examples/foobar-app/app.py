"""foobar.com's site: a small guestbook.

Writes go to the MySQL/MariaDB primary, reads to a replica (the primary when the
stack has none). Every response names the host that served it, so that load
balancing can be seen from outside.

Settings come from the environment (foobarctl writes them to /etc/foobar/app.env):
  FOOBAR_DB_PRIMARY   address of the primary
  FOOBAR_DB_REPLICA   address of the replica to read from (optional)
  FOOBAR_DB_NAME      database name
  FOOBAR_DB_USER      user
  FOOBAR_DB_PASSWORD  password
"""
import html
import os
import socket

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


def connect(role):
    address = os.environ.get("FOOBAR_DB_PRIMARY", "127.0.0.1")
    if role == "read":
        address = os.environ.get("FOOBAR_DB_REPLICA") or address
    return pymysql.connect(
        host=address,
        user=os.environ.get("FOOBAR_DB_USER", "foobar"),
        password=os.environ.get("FOOBAR_DB_PASSWORD", ""),
        database=os.environ.get("FOOBAR_DB_NAME", "foobar"),
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


@app.post("/entries")
def add_entry():
    author = (request.form.get("author") or "anonymous")[:80]
    message = (request.form.get("message") or "").strip()[:500]
    if not message:
        return Response("message is required\n", status=400, mimetype="text/plain")
    with connect("write") as db, db.cursor() as cur:
        cur.execute(SCHEMA)
        cur.execute("INSERT INTO entries (author, message, served_by) VALUES (%s, %s, %s)",
                    (author, message, HOST))
        entry_id = cur.lastrowid
    return Response(f"created {entry_id} on {HOST}\n", status=201, mimetype="text/plain")


@app.get("/entries/<int:entry_id>")
def get_entry(entry_id):
    with connect("read") as db, db.cursor() as cur:
        cur.execute("SELECT author, message FROM entries WHERE id = %s", (entry_id,))
        row = cur.fetchone()
    if row is None:
        return Response("not found\n", status=404, mimetype="text/plain")
    return Response(f"{row[0]}: {row[1]}\n", mimetype="text/plain")
