// refused-unparsable-file: the file's declarations cannot be told apart;
// the package is compiled as it is, and the compiler reports the error.

package broken

func Push( {
