package cost

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/jitsictl/jitsictl/internal/testbed"
)

// Tests that use moto share one moto_server per test binary and reset it
// first, so they must not call t.Parallel.
func TestMain(m *testing.M) { testbed.Main(m) }

// awsConfig resets moto and returns an SDK configuration pointed at it.
func awsConfig(t *testing.T) (aws.Config, *testbed.Emulator) {
	t.Helper()
	e := testbed.Moto(t)
	return e.AWSConfig(t), e
}
