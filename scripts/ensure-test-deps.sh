#!/usr/bin/env bash
# Installs the system packages the test suite needs when they are missing (Debian/Ubuntu, as root):
#   - postgresql: server binaries for the throwaway PostgreSQL clusters (not needed with TEST_DATABASE_URL)
#   - curl:       the README tour test runs the README's curl commands
#   - openssh-client: ssh-keygen makes the SSH keys of the SFTP connection tests; sftp lists files independently
#   - openssh-server: sshd, the real SFTP server of the connector tests (started per test on loopback, never as a service)
#   - gnupg:          gpg decrypts PGP-encrypted export files independently of our code
# Idempotent and silent when everything is present. Without root or apt-get it only says what is
# missing: the tests that need it then skip, stating why.
set -euo pipefail

missing=()
if [[ -z "${TEST_DATABASE_URL:-}" ]] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  missing+=(postgresql)
fi
if ! command -v curl >/dev/null 2>&1; then
  missing+=(curl)
fi
if ! command -v ssh-keygen >/dev/null 2>&1 || ! command -v sftp >/dev/null 2>&1; then
  missing+=(openssh-client)
fi
if [[ ! -x /usr/sbin/sshd ]]; then
  missing+=(openssh-server)
fi
if ! command -v gpg >/dev/null 2>&1; then
  missing+=(gnupg)
fi
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-deps: missing ${missing[*]}; not root with apt-get, so not installing." >&2
  echo "ensure-test-deps: install them (Debian: apt-get install ${missing[*]}) or set TEST_DATABASE_URL; tests that need them will skip." >&2
  exit 0
fi

echo "ensure-test-deps: installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  echo "ensure-test-deps: installed ${missing[*]}" >&2
else
  echo "ensure-test-deps: apt-get could not install ${missing[*]}; tests that need them will skip." >&2
fi
