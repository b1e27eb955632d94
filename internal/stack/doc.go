// Package stack holds the integration tests of terraform/: real terraform applies the
// stack against moto and the tests check the result through aws-sdk-go-v2, the way AWS
// would report it.
package stack
