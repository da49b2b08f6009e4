#!/bin/bash
# /etc/profile.d/node.sh  (managed by pgplay, tag node_profile)
export EDITOR=vi
export PAGER=less
export LANG=C.UTF-8
alias ll='ls -alhF'
alias ..='cd ..'
alias sys='systemctl'
alias log='journalctl -xe'
alias node-ps='ps -eo pid,user,%cpu,%mem,rss,cmd --sort=-%mem | head -20'
alias node-ports='ss -tnlp'
