// qc_reset dilated Trotter circuit, written by `qc-reset export-qasm`: one Trotter step (the channel S).
// Hardware-native: stdgates.inc gates and reset only. Reference point: g=0.06, p1=0.3, p2=0.3,
// T1=0.1, T2=0.0; dt=0.1, order=2 (Strang). Paper qubit 1 = q[1], qubit 2 = q[0],
// ancillas q[2], q[3]. See reference.json for the expected final state.
OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
p(-0.025) q[0];
p(-0.025) q[1];
s q[0];
ry(pi/2) q[1];
cx q[1], q[0];
ry(-0.003) q[0];
ry(-0.003) q[1];
cx q[1], q[0];
sdg q[0];
ry(-pi/2) q[1];
ry(0.013475690068847303) q[3];
cx q[3], q[2];
reset q[2];
ry(0.34554478910552616) q[2];
cx q[1], q[3];
ccx q[2], q[3], q[1];
cx q[1], q[3];
reset q[2];
reset q[3];
ry(0) q[3];
cx q[3], q[2];
reset q[2];
h q[3];
ry(0.34554478910552616) q[2];
cx q[0], q[3];
ccx q[2], q[3], q[0];
cx q[0], q[3];
reset q[2];
reset q[3];
p(-0.025) q[0];
p(-0.025) q[1];
s q[0];
ry(pi/2) q[1];
cx q[1], q[0];
ry(-0.003) q[0];
ry(-0.003) q[1];
cx q[1], q[0];
sdg q[0];
ry(-pi/2) q[1];

