#!/bin/sh
# Makes the TLS test material in DIR with openssl, fresh for every run (EC P-256 keys, which
# mbedTLS 2.28, nginx and mosquitto all take):
#   ca.crt/.key          the test CA
#   other-ca.crt/.key    a CA nobody trusts
#   server.*             localhost + 127.0.0.1, signed by the test CA
#   wronghost.*          other.example only, signed by the test CA
#   unknown.*            localhost, signed by the other CA
#   expired.*            localhost, signed by the test CA, valid in January 2020 only
#   future.*             localhost, signed by the test CA, valid from 2099
#   client.*             a client certificate signed by the test CA
#   bundle.pem           two CA certificates in one file (other CA, then test CA)
set -eu
dir=$1
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

ca() { # name cn
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -days 3650 -subj "/CN=$2" -out "$1.crt" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}

csr() { # name cn san
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" >"$1.ext"
}

sign() { # name cn san ca
    csr "$1" "$2" "$3"
    openssl x509 -req -in "$1.csr" -CA "$4.crt" -CAkey "$4.key" -CAcreateserial -days 825 -sha256 \
        -extfile "$1.ext" -out "$1.crt"
}

sign_dated() { # name cn san start end (openssl ca is the tool that takes explicit dates)
    csr "$1" "$2" "$3"
    mkdir -p cadb
    : >cadb/index.txt
    [ -f cadb/serial ] || echo 1000 >cadb/serial
    cat >cadb/ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = cadb/index.txt
serial = cadb/serial
new_certs_dir = cadb
certificate = ca.crt
private_key = ca.key
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
CNF
    openssl ca -batch -notext -config cadb/ca.cnf -startdate "$4" -enddate "$5" -in "$1.csr" -out "$1.crt" \
        -extfile "$1.ext"
}

ca ca "circuit9 test CA"
ca other-ca "circuit9 untrusted CA"
sign server localhost "DNS:localhost,IP:127.0.0.1" ca
sign wronghost other.example "DNS:other.example" ca
sign unknown localhost "DNS:localhost,IP:127.0.0.1" other-ca
sign client "circuit9 client" "DNS:client.example" ca
sign_dated expired localhost "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200201000000Z
sign_dated future localhost "DNS:localhost,IP:127.0.0.1" 20990101000000Z 20991231000000Z
cat other-ca.crt ca.crt >bundle.pem
chmod 0644 ./*.key ./*.crt
