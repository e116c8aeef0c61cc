#!/usr/bin/env perl
# perl pipe.pl NONBLOCK READ_BYTES CMD...: runs CMD with stdout on a 4 KiB pipe (non-blocking when NONBLOCK
# is 1), waits 300 ms, reads READ_BYTES of it (all when 0) and closes it; prints the exit code, then what it read.
use Fcntl;
my ($nonblock, $limit, @cmd) = @ARGV;
pipe(my $r, my $w) or die "pipe: $!";
fcntl($w, 1031, 4096);
if ($nonblock) { my $flags = fcntl($w, F_GETFL, 0); fcntl($w, F_SETFL, $flags | O_NONBLOCK) or die "fcntl: $!"; }
my $pid = fork();
if ($pid == 0) { close $r; open(STDOUT, '>&', $w) or die; exec @cmd; }
close $w;
select(undef, undef, undef, 0.3);
my $out = '';
if ($limit > 0) { read($r, $out, $limit); close $r; } else { local $/; $out = <$r>; close $r; }
waitpid($pid, 0);
print(($? >> 8), "\n", $out);
