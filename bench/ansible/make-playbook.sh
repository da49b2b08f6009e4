#!/usr/bin/env bash
# Writes bench.yml: the same 200 no-op tasks as bench/engine.ts, for ansible-playbook (comparison only).
set -euo pipefail
cd "$(dirname "$0")"
{
  echo '- hosts: all'
  echo '  gather_facts: true'
  echo '  tasks:'
  echo '    - { name: bench dir, file: { path: /tmp/pgplay-bench-ansible, state: directory, mode: "0755" } }'
  for n in $(seq 0 49); do
    echo "    - { name: template $n, template: { src: ../templates/bench.conf.hbs, dest: /tmp/pgplay-bench-ansible/t$n.conf, mode: '0644' }, vars: { n: $n, host: '{{ inventory_hostname }}' } }"
    echo "    - { name: file $n, file: { path: /tmp/pgplay-bench-ansible/d$n, state: directory, mode: '0750' } }"
    echo "    - { name: command $n, command: { cmd: 'touch /tmp/pgplay-bench-ansible/c$n', creates: '/tmp/pgplay-bench-ansible/c$n' } }"
    echo "    - { name: service $n, service: { name: ssh, state: started } }"
  done
} > bench.yml
