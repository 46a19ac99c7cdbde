package protection

import (
	"fmt"
	"log/slog"

	"github.com/accountsec/accountsec/internal/redact"
)

var loginRequestSpec = redact.New[LoginRequest]("Password", "DeviceToken")

// String describes the LoginRequest with its Password and DeviceToken redacted.
func (r LoginRequest) String() string { return loginRequestSpec.String(r) }

// GoString is the %#v form of the LoginRequest, secrets redacted.
func (r LoginRequest) GoString() string { return loginRequestSpec.GoString(r) }

// Format prints the LoginRequest for every verb of fmt, secrets redacted.
func (r LoginRequest) Format(f fmt.State, verb rune) { loginRequestSpec.Print(f, verb, r) }

// LogValue logs the LoginRequest as a group of its fields, secrets redacted.
func (r LoginRequest) LogValue() slog.Value { return loginRequestSpec.LogValue(r) }

var thirdPartyLoginSpec = redact.New[ThirdPartyLogin]("DeviceToken")

// String describes the ThirdPartyLogin with its DeviceToken redacted.
func (l ThirdPartyLogin) String() string { return thirdPartyLoginSpec.String(l) }

// GoString is the %#v form of the ThirdPartyLogin, secrets redacted.
func (l ThirdPartyLogin) GoString() string { return thirdPartyLoginSpec.GoString(l) }

// Format prints the ThirdPartyLogin for every verb of fmt, secrets redacted.
func (l ThirdPartyLogin) Format(f fmt.State, verb rune) { thirdPartyLoginSpec.Print(f, verb, l) }

// LogValue logs the ThirdPartyLogin as a group of its fields, secrets redacted.
func (l ThirdPartyLogin) LogValue() slog.Value { return thirdPartyLoginSpec.LogValue(l) }

var pendingSpec = redact.New[Pending]("Token")

// String describes the Pending with its Token redacted.
func (p Pending) String() string { return pendingSpec.String(p) }

// GoString is the %#v form of the Pending, secrets redacted.
func (p Pending) GoString() string { return pendingSpec.GoString(p) }

// Format prints the Pending for every verb of fmt, secrets redacted.
func (p Pending) Format(f fmt.State, verb rune) { pendingSpec.Print(f, verb, p) }

// LogValue logs the Pending as a group of its fields, secrets redacted.
func (p Pending) LogValue() slog.Value { return pendingSpec.LogValue(p) }

var loginResultSpec = redact.New[LoginResult]("Token", "DeviceToken")

// String describes the LoginResult with its Token and DeviceToken redacted.
func (r LoginResult) String() string { return loginResultSpec.String(r) }

// GoString is the %#v form of the LoginResult, secrets redacted.
func (r LoginResult) GoString() string { return loginResultSpec.GoString(r) }

// Format prints the LoginResult for every verb of fmt, secrets redacted.
func (r LoginResult) Format(f fmt.State, verb rune) { loginResultSpec.Print(f, verb, r) }

// LogValue logs the LoginResult as a group of its fields, secrets redacted.
func (r LoginResult) LogValue() slog.Value { return loginResultSpec.LogValue(r) }

var completeRequestSpec = redact.New[CompleteRequest]("PendingToken", "Challenge", "Answer")

// String describes the CompleteRequest with its PendingToken, Challenge and Answer redacted.
func (r CompleteRequest) String() string { return completeRequestSpec.String(r) }

// GoString is the %#v form of the CompleteRequest, secrets redacted.
func (r CompleteRequest) GoString() string { return completeRequestSpec.GoString(r) }

// Format prints the CompleteRequest for every verb of fmt, secrets redacted.
func (r CompleteRequest) Format(f fmt.State, verb rune) { completeRequestSpec.Print(f, verb, r) }

// LogValue logs the CompleteRequest as a group of its fields, secrets redacted.
func (r CompleteRequest) LogValue() slog.Value { return completeRequestSpec.LogValue(r) }

var configSpec = redact.New[Config]("Secret")

// String describes the Config with its Secret redacted.
func (c Config) String() string { return configSpec.String(c) }

// GoString is the %#v form of the Config, secrets redacted.
func (c Config) GoString() string { return configSpec.GoString(c) }

// Format prints the Config for every verb of fmt, secrets redacted.
func (c Config) Format(f fmt.State, verb rune) { configSpec.Print(f, verb, c) }

// LogValue logs the Config as a group of its fields, secrets redacted.
func (c Config) LogValue() slog.Value { return configSpec.LogValue(c) }

var challengeSpec = redact.New[Challenge]("ID")

// String describes the Challenge with its ID redacted.
func (c Challenge) String() string { return challengeSpec.String(c) }

// GoString is the %#v form of the Challenge, secrets redacted.
func (c Challenge) GoString() string { return challengeSpec.GoString(c) }

// Format prints the Challenge for every verb of fmt, secrets redacted.
func (c Challenge) Format(f fmt.State, verb rune) { challengeSpec.Print(f, verb, c) }

// LogValue logs the Challenge as a group of its fields, secrets redacted.
func (c Challenge) LogValue() slog.Value { return challengeSpec.LogValue(c) }

var answerRequestSpec = redact.New[AnswerRequest]("Challenge", "Answer")

// String describes the AnswerRequest with its Challenge and Answer redacted.
func (r AnswerRequest) String() string { return answerRequestSpec.String(r) }

// GoString is the %#v form of the AnswerRequest, secrets redacted.
func (r AnswerRequest) GoString() string { return answerRequestSpec.GoString(r) }

// Format prints the AnswerRequest for every verb of fmt, secrets redacted.
func (r AnswerRequest) Format(f fmt.State, verb rune) { answerRequestSpec.Print(f, verb, r) }

// LogValue logs the AnswerRequest as a group of its fields, secrets redacted.
func (r AnswerRequest) LogValue() slog.Value { return answerRequestSpec.LogValue(r) }

var hostChallengeSpec = redact.New[HostChallenge]("Ticket")

// String describes the HostChallenge with its Ticket redacted.
func (c HostChallenge) String() string { return hostChallengeSpec.String(c) }

// GoString is the %#v form of the HostChallenge, secrets redacted.
func (c HostChallenge) GoString() string { return hostChallengeSpec.GoString(c) }

// Format prints the HostChallenge for every verb of fmt, secrets redacted.
func (c HostChallenge) Format(f fmt.State, verb rune) { hostChallengeSpec.Print(f, verb, c) }

// LogValue logs the HostChallenge as a group of its fields, secrets redacted.
func (c HostChallenge) LogValue() slog.Value { return hostChallengeSpec.LogValue(c) }

var challengeRecordSpec = redact.New[ChallengeRecord]("Ticket")

// String describes the ChallengeRecord with its Ticket redacted.
func (c ChallengeRecord) String() string { return challengeRecordSpec.String(c) }

// GoString is the %#v form of the ChallengeRecord, secrets redacted.
func (c ChallengeRecord) GoString() string { return challengeRecordSpec.GoString(c) }

// Format prints the ChallengeRecord for every verb of fmt, secrets redacted.
func (c ChallengeRecord) Format(f fmt.State, verb rune) { challengeRecordSpec.Print(f, verb, c) }

// LogValue logs the ChallengeRecord as a group of its fields, secrets redacted.
func (c ChallengeRecord) LogValue() slog.Value { return challengeRecordSpec.LogValue(c) }
