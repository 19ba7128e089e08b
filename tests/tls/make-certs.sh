#!/bin/bash
# A test CA and the certificates the TLS tests use, made fresh in DIR:
#   ca.pem              the CA that signed the others
#   server.pem/.key     CN localhost, for DNS localhost and IP 127.0.0.1
#   server-pass.key     the same key, encrypted with the passphrase "sesame"
#   client.pem/.key     CN sensor-gateway, a client certificate
#   client-pass.key     its key, encrypted with the passphrase "sesame"
#   other-ca.pem        a CA that signed only rogue.pem
#   rogue.pem/.key      CN sensor-gateway too, a client certificate of other-ca
# Usage: tests/tls/make-certs.sh DIR
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"
days=2
q() { openssl "$@" 2> /dev/null; }

q req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days \
    -subj /CN=sdc-test-ca
q req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem \
    -days $days -subj /CN=sdc-other-ca
sign() {	# NAME CN EXTENSIONS [CA]
	local ca=${4:-ca}
	q req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" \
	    -subj "/CN=$2"
	printf '%s\n' "$3" > "$1.ext"
	q x509 -req -in "$1.csr" -CA "$ca.pem" -CAkey "$ca.key" \
	    -CAcreateserial \
	    -out "$1.pem" -days $days -extfile "$1.ext"
}
sign server localhost "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
sign client sensor-gateway "extendedKeyUsage=clientAuth"
sign rogue sensor-gateway "extendedKeyUsage=clientAuth" other-ca
q pkey -in server.key -out server-pass.key -aes256 -passout pass:sesame
q pkey -in client.key -out client-pass.key -aes256 -passout pass:sesame
rm -f ./*.csr ./*.ext ./*.srl
