#!/usr/bin/env bash
# Deploy an Athenas release to a target directory, with automatic rollback.
#
#   deploy/deploy.sh --target DIR --release TARBALL [options]   deploy a release
#   deploy/deploy.sh --target DIR --rollback [options]          back to the previous release
#
# Layout of DIR (created on the first deploy):
#   releases/<id>/      one folder per deploy (<id> = UTC timestamp), never changed after
#   current -> releases/<id>   what the services run; previous -> the one before
#   venvs/<hash>/       virtualenvs, shared by releases with the same requirements.txt
#   shared/athenas.env  the environment of every process (see deploy/athenas.env.example)
#   shared/instance/    linked as <release>/instance (never inside a release)
#   run/, log/          pidfiles and logs of the --no-systemd mode
#
# Steps: unpack into releases/<id>, virtualenv (reused when the requirements are the same),
# import check, migrations (`flask db upgrade`, before the switch: they must keep the
# running release working), switch `current`, reload Gunicorn gracefully (HUP: new workers
# start, old ones finish their requests; no request is dropped), restart the Celery worker
# and beat, then poll the health URL until it answers 200 from the new release. When it
# does not, `current` goes back to the previous release, which is reloaded the same way.
# Migrations are not reverted by a rollback.
#
# Options:
#   --health-url URL      default http://127.0.0.1:8000/healthz
#   --health-timeout S    seconds to wait for a healthy answer (default 60)
#   --env-file FILE       default DIR/shared/athenas.env (read when it exists)
#   --venv DIR            use this existing virtualenv instead of building one
#   --python PY           interpreter for new virtualenvs and the health check (python3.11)
#   --keep N              releases kept, besides current and previous (default 5)
#   --no-systemd          run the processes here (pidfiles in DIR/run): Gunicorn, and the
#                         Celery worker and beat when REDIS_URL is set
#   --systemctl CMD       how to call systemctl (default "systemctl"; e.g. "sudo systemctl")
#   --units "W K B"       systemd units of web, worker and beat
#                         (default "athenas-web athenas-worker athenas-beat")
#   --stop                (--no-systemd only) stop the processes of DIR and exit
set -euo pipefail

target=""
release_tarball=""
mode="deploy"
health_url="http://127.0.0.1:8000/healthz"
health_timeout=60
env_file=""
shared_venv=""
python="${PYTHON:-python3.11}"
keep=5
systemd=1
systemctl="systemctl"
units="athenas-web athenas-worker athenas-beat"

log() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERRO: $*"; exit 1; }
usage() { sed -n '2,37p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --release) release_tarball="$2"; shift 2 ;;
    --rollback) mode="rollback"; shift ;;
    --stop) mode="stop"; shift ;;
    --health-url) health_url="$2"; shift 2 ;;
    --health-timeout) health_timeout="$2"; shift 2 ;;
    --env-file) env_file="$2"; shift 2 ;;
    --venv) shared_venv="$2"; shift 2 ;;
    --python) python="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --no-systemd) systemd=0; shift ;;
    --systemctl) systemctl="$2"; shift 2 ;;
    --units) units="$2"; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "deploy: opção desconhecida: $1" >&2; usage 2 >&2 ;;
  esac
done

[ -n "$target" ] || die "informe --target DIR"
mkdir -p "$target"
target="$(cd "$target" && pwd)"
command -v "$python" >/dev/null || python=python3
read -r web_unit worker_unit beat_unit <<< "$units"
run_dir="$target/run"
log_dir="$target/log"
mkdir -p "$target/releases" "$target/venvs" "$target/shared/instance" "$run_dir" "$log_dir"

exec 9>"$target/.deploy.lock"
flock -n 9 || die "outro deploy está em andamento em $target"

env_file="${env_file:-$target/shared/athenas.env}"
if [ -f "$env_file" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
fi

release_of() { basename "$(readlink "$1")"; }

# ------------------------------------------------------------------ processes, --no-systemd

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pidfile() {  # graceful TERM, then KILL after 60 s
  local pidfile="$1" pid waited=0
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  pid="$(cat "$pidfile")"
  kill -TERM "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge 600 ]; then kill -KILL "$pid" 2>/dev/null || true; break; fi
    sleep 0.1; waited=$((waited + 1))
  done
  rm -f "$pidfile"
}

in_current() {  # run a command of the current release, from its folder (without the lock's fd)
  (cd "$target/current" && PYTHONPATH="$target/current" "$@") 9>&-
}

local_web_reload() {
  local pidfile="$run_dir/gunicorn.pid"
  if pid_alive "$pidfile"; then
    log "Gunicorn: recarga suave (HUP) do processo $(cat "$pidfile")"
    kill -HUP "$(cat "$pidfile")"
  else
    log "Gunicorn: iniciando"
    # `python -P -m gunicorn` through `current`: every import path goes through the symlink
    # (-P: not the resolved working directory), so the workers a later HUP forks load the
    # release `current` points to then, dependencies included.
    in_current "$target/current/venv/bin/python" -P -m gunicorn \
      -c "$target/current/gunicorn.conf.py" --chdir "$target/current" \
      --pid "$pidfile" --daemon --no-control-socket \
      --error-logfile "$log_dir/gunicorn.log" --access-logfile "$log_dir/access.log" wsgi:app
  fi
}

local_celery_restart() {
  if [ -z "${REDIS_URL:-}" ]; then
    log "REDIS_URL vazia: sem worker e beat do Celery (os processos rodam no servidor web)"
    return 0
  fi
  stop_pidfile "$run_dir/worker.pid"
  stop_pidfile "$run_dir/beat.pid"
  log "Celery: iniciando worker e beat"
  in_current "$target/current/venv/bin/python" -m celery --workdir "$target/current" \
    -A portal.worker worker --detach --without-gossip --without-mingle \
    --pidfile "$run_dir/worker.pid" --logfile "$log_dir/worker.log" --loglevel INFO
  in_current "$target/current/venv/bin/python" -m celery --workdir "$target/current" \
    -A portal.worker beat --detach \
    --pidfile "$run_dir/beat.pid" --logfile "$log_dir/beat.log" --loglevel INFO \
    --schedule "$target/shared/celerybeat-schedule"
  for name in worker beat; do  # --detach returns before the daemon writes its pidfile
    waited=0
    until pid_alive "$run_dir/$name.pid"; do
      [ "$waited" -lt 600 ] || die "Celery $name não iniciou (veja $log_dir/$name.log)"
      sleep 0.1; waited=$((waited + 1))
    done
  done
}

reload_services() {
  if [ "$systemd" = 1 ]; then
    log "systemd: reload-or-restart $web_unit; restart $worker_unit $beat_unit"
    $systemctl reload-or-restart "$web_unit"
    $systemctl restart "$worker_unit" "$beat_unit"
  else
    local_web_reload
    local_celery_restart
  fi
}

# ------------------------------------------------------------------ health, switch, rollback

check_health() {  # $1 = expected release id; 0 when it answers healthy for 5 requests in a row
  "$python" - "$health_url" "$1" "$health_timeout" <<'PY'
import json, sys, time, urllib.error, urllib.request

url, expected, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline, in_a_row, last = time.monotonic() + timeout, 0, "sem resposta"
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            body = json.load(answer)
        if body.get("status") == "ok" and body.get("release") == expected:
            in_a_row += 1
            if in_a_row >= 5:  # not one lucky worker: the new workers answer, the old are gone
                sys.exit(0)
            time.sleep(0.2)
            continue
        last = f"200 de outra versão ({body.get('release')})"
    except urllib.error.HTTPError as exc:
        last = f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        last = str(exc)
    in_a_row = 0
    time.sleep(0.5)
print(f"verificação de saúde falhou: {last}", file=sys.stderr)
sys.exit(1)
PY
}

switch_to() {  # atomic: a new symlink renamed over the old one
  ln -sfn "releases/$1" "$target/current.new"
  mv -Tf "$target/current.new" "$target/current"
}

set_previous() {
  ln -sfn "releases/$1" "$target/previous.new"
  mv -Tf "$target/previous.new" "$target/previous"
}

rollback_to() {  # $1 = release to go back to, $2 = the failed one
  log "voltando para $1"
  switch_to "$1"
  [ -z "${2:-}" ] || set_previous "$2"
  reload_services
  if check_health "$1"; then
    log "rollback concluído: $1 está servindo"
  else
    die "rollback para $1 também não respondeu: intervenção manual necessária"
  fi
}

prune() {  # keep the newest $keep releases plus current and previous; then unused venvs
  local current previous name count=0
  current="$(release_of "$target/current" 2>/dev/null || true)"
  previous="$(release_of "$target/previous" 2>/dev/null || true)"
  for dir in $(ls -1 "$target/releases" | sort -r); do
    name="$(basename "$dir")"
    if [ "$name" = "$current" ] || [ "$name" = "$previous" ]; then continue; fi
    count=$((count + 1))
    if [ "$count" -gt "$keep" ]; then
      log "removendo release antiga $name"
      rm -rf "${target:?}/releases/$name"
    fi
  done
  for venv in "$target"/venvs/*; do
    [ -d "$venv" ] || continue
    if ! readlink "$target"/releases/*/venv 2>/dev/null | grep -qx "\.\./\.\./venvs/$(basename "$venv")"; then
      log "removendo virtualenv sem uso $(basename "$venv")"
      rm -rf "$venv"
    fi
  done
}

# ------------------------------------------------------------------ modes

if [ "$mode" = "stop" ]; then
  [ "$systemd" = 0 ] || die "--stop só vale com --no-systemd (use systemctl stop)"
  for name in gunicorn worker beat; do stop_pidfile "$run_dir/$name.pid"; done
  log "processos de $target encerrados"
  exit 0
fi

if [ "$mode" = "rollback" ]; then
  [ -L "$target/previous" ] || die "não há release anterior em $target"
  current="$(release_of "$target/current")"
  rollback_to "$(release_of "$target/previous")" "$current"
  exit 0
fi

[ -f "$release_tarball" ] || die "informe --release com o arquivo .tar.gz (deploy/build-release.sh)"

id="$(date -u +%Y%m%d%H%M%S)"
suffix=1
while [ -e "$target/releases/$id" ]; do suffix=$((suffix + 1)); id="$(date -u +%Y%m%d%H%M%S)-$suffix"; done
rel="$target/releases/$id"
log "release $id a partir de $(basename "$release_tarball")"

unpack="$(mktemp -d "$target/releases/.unpack.XXXXXX")"
tar -xzf "$release_tarball" -C "$unpack" --strip-components=1
chmod 755 "$unpack"
mv "$unpack" "$rel"
echo "$id" > "$rel/RELEASE"
ln -s "$target/shared/instance" "$rel/instance"

# Virtualenv: an existing one (--venv), or one per requirements.txt + interpreter, shared
# by every release with the same dependencies and built once, offline, from the wheelhouse.
if [ -n "$shared_venv" ]; then
  ln -s "$(cd "$shared_venv" && pwd)" "$rel/venv"
else
  [ -f "$rel/requirements.txt" ] || die "release sem requirements.txt/wheels: gere sem --no-wheels ou use --venv"
  key="$( { cat "$rel/requirements.txt"; "$python" -VV; } | sha256sum | cut -c1-16)"
  venv="$target/venvs/$key"
  if [ ! -f "$venv/.complete" ]; then
    log "criando virtualenv $key"
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-index \
      --find-links "$rel/wheels" -r "$rel/requirements.txt"
    touch "$venv/.complete"
  else
    log "virtualenv $key reaproveitado"
  fi
  ln -s "../../venvs/$key" "$rel/venv"
  rm -rf "$rel/wheels"
fi

# Migrations from the new release, before the switch (loading the app for the command is
# also the check that the release imports at all: nothing changes when it does not).
log "migrações (flask db upgrade)"
if ! (cd "$rel" && PYTHONPATH="$rel" "$rel/venv/bin/flask" --app wsgi db upgrade); then
  touch "$rel/FAILED"
  die "a release $id não carrega ou as migrações falharam; a release anterior continua no ar"
fi
# Bytecode now, not in the first requests of each worker.
"$rel/venv/bin/python" -m compileall -q -x '/(venv|instance)/' "$rel/portal" "$rel/wsgi.py" >/dev/null || true

previous=""
older=""
if [ -L "$target/current" ]; then previous="$(release_of "$target/current")"; fi
if [ -L "$target/previous" ]; then older="$(release_of "$target/previous")"; fi
switch_to "$id"
[ -z "$previous" ] || set_previous "$previous"
log "current -> releases/$id"
reload_services

if check_health "$id"; then
  log "release $id no ar"
  prune
  exit 0
fi

touch "$rel/FAILED"
if [ -z "$previous" ]; then
  die "release $id não ficou saudável e não há release anterior para voltar"
fi
log "release $id não ficou saudável: rollback automático"
rollback_to "$previous" "$older"
[ -n "$older" ] || rm -f "$target/previous"
exit 1
