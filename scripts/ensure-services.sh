#!/usr/bin/env bash
# Make sure what the test suite talks to is installed and reachable:
# Debian packages, PostgreSQL (127.0.0.1:5432, trust auth, database "test")
# and Redis (127.0.0.1:6379). Idempotent: run it as often as you like; it only
# installs what is missing and only starts what is not answering.
#
# Used by `make test` (and so by .ci/run, which runs as root on a clean clone).
# PG_PORT and REDIS_PORT override the ports (e.g. to try it on a spare port).
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=${PG_PORT:-5432}
PG_USER=postgres
PG_TEST_DB=test
REDIS_HOST=127.0.0.1
REDIS_PORT=${REDIS_PORT:-6379}
WAIT_SECONDS=${WAIT_SECONDS:-60}

log() { printf 'ensure-services: %s\n' "$*" >&2; }

# --- Debian packages ----------------------------------------------------------
# The hook for system packages later tests need. Add a package to APT_PACKAGES
# with a comment saying which tests need it; it is installed only when missing
# (`apt-get update` runs once, and only if something is missing).
APT_PACKAGES=(
    dovecot-imapd                       # IMAP server for the email channel tests
    #                                   #   (tests/servers/dovecot.py; pulls in dovecot-core)
    tesseract-ocr tesseract-ocr-eng     # OCR for scanned letters: tessdata the
    tesseract-ocr-deu tesseract-ocr-ell #   tesserocr wheel reads, and the bare CLI
    tesseract-ocr-ces tesseract-ocr-swe #   bench/letters.py compares against (one
    tesseract-ocr-ind                   #   language pack per served language)
    fonts-dejavu-core                   # fonts for test scans and printable replies
    libharfbuzz-subset0                 # WeasyPrint's font subsetting (smaller, faster PDFs)
    chromium                            # headless browser for tests/e2e (Playwright drives it)
)
# The services themselves, on a machine that lacks them.
command -v pg_ctlcluster >/dev/null 2>&1 || APT_PACKAGES+=(postgresql)
command -v redis-server >/dev/null 2>&1 || APT_PACKAGES+=(redis-server)

apt_updated=
apt_install_missing() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || {
            log "missing Debian packages: ${missing[*]} (run as root, or install them)"
            exit 1
        }
        sudo=sudo
    fi
    if [ -z "$apt_updated" ]; then
        log "apt-get update"
        $sudo apt-get update -qq
        apt_updated=1
    fi
    log "installing ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

if [ ${#APT_PACKAGES[@]} -gt 0 ]; then
    apt_install_missing "${APT_PACKAGES[@]}"
fi

# --- readiness checks -----------------------------------------------------------
wait_until() {  # wait_until DESCRIPTION COMMAND...
    local what=$1; shift
    local deadline=$((SECONDS + WAIT_SECONDS))
    until "$@"; do
        if [ $SECONDS -ge $deadline ]; then
            log "$what is not ready after ${WAIT_SECONDS}s"
            return 1
        fi
        sleep 0.5
    done
}

pg_ready() {
    if command -v pg_isready >/dev/null 2>&1; then
        pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
    else
        (exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null
    fi
}

redis_ready() {  # a real PING/PONG over bash's /dev/tcp: needs no client
    local reply=
    # (braces: a redirection on `exec` itself would apply to the whole script)
    { exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT"; } 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    read -r -t 2 reply <&3 || true
    exec 3<&- 3>&-
    [ "${reply%$'\r'}" = "+PONG" ]
}

# --- PostgreSQL -------------------------------------------------------------------
if ! pg_ready; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$version" ]; then
        log "PostgreSQL is not installed (no /etc/postgresql/<version>)"
        exit 1
    fi
    log "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_until "PostgreSQL at $PG_HOST:$PG_PORT" pg_ready
fi
if command -v psql >/dev/null 2>&1; then
    exists=$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$PG_TEST_DB'")
    if [ "$exists" != 1 ]; then
        log "creating database $PG_TEST_DB"
        psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qc "CREATE DATABASE \"$PG_TEST_DB\""
    fi
fi
log "PostgreSQL ready at $PG_HOST:$PG_PORT"

# --- Redis ------------------------------------------------------------------------
if ! redis_ready; then
    log "starting Redis"
    redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
        --save "" --appendonly no
    wait_until "Redis at $REDIS_HOST:$REDIS_PORT" redis_ready
fi
log "Redis ready at $REDIS_HOST:$REDIS_PORT"
