#!/bin/sh
# Certificates for the relay, with openssl (msrprelay shipped GnuTLS certtool scripts for the same).
#   make-certificate.sh ca <common name>           -> ca.crt, ca.key (a CA valid 10 years)
#   make-certificate.sh relay <host name> [--self] -> msrprelay.crt, msrprelay.key, signed by ca.crt/ca.key
#                                                     (or self-signed with --self); host name in the DNS SAN
set -eu
days=3650
case "${1:-}" in
  ca)
    openssl req -x509 -newkey rsa:3072 -nodes -days "$days" -subj "/CN=${2:?common name}" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout ca.key -out ca.crt
    ;;
  relay)
    host=${2:?host name}
    ext="subjectAltName=DNS:$host
extendedKeyUsage=serverAuth,clientAuth
keyUsage=digitalSignature,keyEncipherment"
    if [ "${3:-}" = "--self" ]; then
      openssl req -x509 -newkey rsa:3072 -nodes -days "$days" -subj "/CN=$host" \
        -addext "subjectAltName=DNS:$host" -addext "extendedKeyUsage=serverAuth,clientAuth" \
        -keyout msrprelay.key -out msrprelay.crt
    else
      openssl req -new -newkey rsa:3072 -nodes -subj "/CN=$host" -keyout msrprelay.key -out msrprelay.csr
      printf '%s\n' "$ext" > msrprelay.ext
      openssl x509 -req -in msrprelay.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days "$days" \
        -extfile msrprelay.ext -out msrprelay.crt
      rm -f msrprelay.csr msrprelay.ext
    fi
    chmod 600 msrprelay.key
    ;;
  *)
    echo "usage: $0 ca <common name> | relay <host name> [--self]" >&2
    exit 2
    ;;
esac
