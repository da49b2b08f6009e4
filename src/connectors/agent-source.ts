/**
 * The host side of the persistent session (see remote-shell.ts): a small Perl program, started once
 * per host over one ssh2 exec channel, that runs the controller's requests. Perl because `perl-base`
 * is Essential on Debian and Ubuntu (present on every host, minimal images included) and has fork,
 * exec, setuid, select and process groups, all without starting another process per request.
 *
 * Protocol, on the channel's stdin and stdout (lengths are bytes, numbers are decimal ASCII):
 *   controller → agent  `R <id> <metaLen> <scriptLen> <stdinLen>\n` meta script stdin
 *                         meta = user NUL timeoutMs NUL (envName NUL envValue NUL)*, each may be ''
 *                       `K <id>\n`  end request id (TERM to its process group, KILL 5 s later)
 *                       end of stdin: end every request still running, then exit
 *   agent → controller  `PGPLAY-AGENT 1 <uid> <user>\n` once, when ready
 *                       `O <id> <n>\n` n bytes of the request's stdout, `E <id> <n>\n` of its stderr
 *                       `X <id> <rc>\n` the request ended: rc is its exit status, 128+signal when
 *                         a signal ended it, 124 when its time-out did (as coreutils' timeout)
 *
 * Each request is `/bin/sh -c script` in a child of its own process group, with the environment
 * and user set by the agent before exec (never on a command line), its stdin fed from the frame.
 * Requests run concurrently (pipelining). When the request's shell exits, what it wrote is drained
 * and the request ends even if a background process still holds its output open.
 */
export const AGENT_SOURCE = String.raw`
use strict; use warnings;
use POSIX ();
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
$SIG{PIPE} = 'IGNORE';
binmode STDIN; binmode STDOUT;
my $TCK = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;
sub now { return (POSIX::times())[0] / $TCK }
sub nb { my $fh = shift; my $f = fcntl($fh, F_GETFL, 0); fcntl($fh, F_SETFL, $f | O_NONBLOCK) }
pipe(my $SR, my $SW) or die "pgplay agent: pipe: $!\n";
nb($SR); nb($SW);
$SIG{CHLD} = sub { syswrite($SW, 'c') };
my (%job, %byPid);
my $in = '';

sub put {
  my $s = shift;
  while (length $s) {
    my $n = syswrite(STDOUT, $s);
    if (!defined $n) {
      if ($!{EINTR}) { next }
      if ($!{EAGAIN}) { my $w = ''; vec($w, fileno(STDOUT), 1) = 1; select(undef, $w, undef, 1); next }
      quit();
    }
    substr($s, 0, $n, '');
  }
}

sub quit {
  kill('TERM', -$_->{pid}) for values %job;
  POSIX::_exit(0);
}

sub become {
  my $user = shift;
  my @pw = getpwnam($user) or return "no such user: $user";
  my ($uid, $gid, $home) = @pw[2, 3, 7];
  my @groups = ($gid);
  while (my @g = getgrent()) { push @groups, $g[2] if grep { $_ eq $user } split ' ', $g[3] }
  endgrent();
  $) = join(' ', $gid, @groups);
  POSIX::setgid($gid) or return "setgid $gid: $!";
  POSIX::setuid($uid) or return "setuid $uid: $!";
  return "could not become $user" if $< != $uid || $> != $uid;
  $ENV{HOME} = $home; $ENV{USER} = $user; $ENV{LOGNAME} = $user;
  chdir($home) or chdir('/');
  return '';
}

sub start {
  my ($id, $meta, $script, $stdin) = @_;
  my ($user, $tmo, @env) = split /\0/, $meta, -1;
  pop @env if @env % 2;
  my ($ir, $iw, $or, $ow, $er, $ew);
  unless (pipe($ir, $iw) && pipe($or, $ow) && pipe($er, $ew)) {
    put("E $id " . length("pgplay agent: pipe: $!\n") . "\npgplay agent: pipe: $!\nX $id 126\n");
    return;
  }
  my $pid = fork();
  if (!defined $pid) {
    my $m = "pgplay agent: fork: $!\n";
    put("E $id " . length($m) . "\n$m" . "X $id 126\n");
    return;
  }
  if ($pid == 0) {
    POSIX::setpgid(0, 0);
    $SIG{$_} = 'DEFAULT' for qw(PIPE CHLD INT TERM HUP QUIT);
    open(STDIN, '<&', $ir); open(STDOUT, '>&', $ow); open(STDERR, '>&', $ew);
    while (@env) { my $k = shift @env; $ENV{$k} = shift @env }
    if (length $user) {
      my $err = become($user);
      if ($err) { print STDERR "pgplay agent: $err\n"; POSIX::_exit(126) }
    }
    exec('/bin/sh', '-c', $script) or print STDERR "pgplay agent: cannot run /bin/sh: $!\n";
    POSIX::_exit(127);
  }
  close($ir); close($ow); close($ew);
  nb($iw);
  my $j = { id => $id, pid => $pid, o => $or, e => $er, i => $iw, ib => $stdin };
  $j->{deadline} = now() + $tmo / 1000 if length $tmo;
  if (!length $stdin) { close($iw); $j->{i} = undef }
  $job{$id} = $j; $byPid{$pid} = $j;
}

sub pump {
  my ($j, $k) = @_;
  my $fh = $j->{$k} or return;
  my $n = sysread($fh, my $buf, 65536);
  if (!defined $n) { return if $!{EINTR} || $!{EAGAIN}; $n = 0 }
  if ($n == 0) { close($fh); $j->{$k} = undef; return }
  put(($k eq 'o' ? 'O' : 'E') . " $j->{id} $n\n" . $buf);
}

sub feed {
  my $j = shift;
  my $n = syswrite($j->{i}, $j->{ib}, 65536);
  if (!defined $n) { return if $!{EINTR} || $!{EAGAIN}; $j->{ib} = '' }
  else { substr($j->{ib}, 0, $n, '') }
  if (!length $j->{ib}) { close($j->{i}); $j->{i} = undef }
}

sub finish {
  my ($j, $status) = @_;
  for my $k ('o', 'e') {
    while ($j->{$k}) {
      my $r = ''; vec($r, fileno($j->{$k}), 1) = 1;
      last unless select($r, undef, undef, 0) > 0;
      pump($j, $k);
    }
    if ($j->{$k}) { close($j->{$k}); $j->{$k} = undef }
  }
  if ($j->{i}) { close($j->{i}); $j->{i} = undef }
  my $rc = $j->{timedout} ? 124 : ($status & 127) ? 128 + ($status & 127) : $status >> 8;
  delete $job{$j->{id}}; delete $byPid{$j->{pid}};
  put("X $j->{id} $rc\n");
}

sub parse {
  while (1) {
    if ($in =~ /\AR (\d+) (\d+) (\d+) (\d+)\n/) {
      my ($id, $m, $s, $i) = ($1, $2, $3, $4);
      my $h = $+[0];
      return if length($in) < $h + $m + $s + $i;
      my $meta = substr($in, $h, $m); my $script = substr($in, $h + $m, $s); my $stdin = substr($in, $h + $m + $s, $i);
      substr($in, 0, $h + $m + $s + $i, '');
      start($id, $meta, $script, $stdin);
    } elsif ($in =~ /\AK (\d+)\n/) {
      substr($in, 0, $+[0], '');
      my $j = $job{$1} or next;
      kill('TERM', -$j->{pid}); $j->{killat} = now() + 5;
    } elsif (!length($in) || (index($in, "\n") < 0 && length($in) < 200 && $in =~ /\A[RK]/)) {
      return;
    } else {
      print STDERR "pgplay agent: bad request frame\n"; quit();
    }
  }
}

$| = 1;
put("PGPLAY-AGENT 1 $< " . (getpwuid($<))[0] . "\n");
while (1) {
  while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) { my $j = $byPid{$pid}; finish($j, $?) if $j }
  my $t = now();
  my $wait;
  for my $j (values %job) {
    if ($j->{deadline} && $t >= $j->{deadline} && !$j->{timedout}) { kill('TERM', -$j->{pid}); $j->{timedout} = 1; $j->{killat} = $t + 5 }
    if ($j->{killat} && $t >= $j->{killat}) { kill('KILL', -$j->{pid}); $j->{killat} = undef }
    for my $at ($j->{timedout} ? () : $j->{deadline}, $j->{killat}) {
      $wait = $at - $t if defined $at && (!defined $wait || $at - $t < $wait);
    }
  }
  $wait = 0.01 if defined $wait && $wait < 0.01;
  my ($r, $w) = ('', '');
  vec($r, fileno(STDIN), 1) = 1;
  vec($r, fileno($SR), 1) = 1;
  for my $j (values %job) {
    vec($r, fileno($j->{o}), 1) = 1 if $j->{o};
    vec($r, fileno($j->{e}), 1) = 1 if $j->{e};
    vec($w, fileno($j->{i}), 1) = 1 if $j->{i};
  }
  my $n = select(my $ro = $r, my $wo = $w, undef, $wait);
  next if $n <= 0;
  if (vec($ro, fileno($SR), 1)) { sysread($SR, my $junk, 4096) }
  if (vec($ro, fileno(STDIN), 1)) {
    my $k = sysread(STDIN, $in, 1 << 20, length $in);
    if (!defined $k) { next if $!{EINTR}; quit() }
    quit() if $k == 0;
    parse();
  }
  for my $j (values %job) {
    pump($j, 'o') if $j->{o} && vec($ro, fileno($j->{o}), 1);
    pump($j, 'e') if $j->{e} && vec($ro, fileno($j->{e}), 1);
    feed($j) if $j->{i} && vec($wo, fileno($j->{i}), 1);
  }
}
`;
