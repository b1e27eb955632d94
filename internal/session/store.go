package session

import "path"

// RecordKey puts the session record beside the Terraform state object it
// belongs to: one record per stack, found from the backend alone.
func RecordKey(stateKey string) string {
	return path.Join(path.Dir(stateKey), "jitsictl-session.json")
}

// StoreBeside is the record store beside the state object stateKey in bucket.
func StoreBeside(api Objects, bucket, stateKey string) Store {
	return Store{API: api, Bucket: bucket, Key: RecordKey(stateKey)}
}
