/**
 * Property checks for JUnit 5 tests, with seeded generators, a bias to edge values, replay by seed and
 * shrinking.
 *
 * <ul>
 *   <li>{@link dev.faultline.testkit.property.Property}: runs a property body for a number of tries, each try
 *       from a seed of its own; a failure is shrunk and reported with its seed as a
 *       {@link dev.faultline.testkit.property.PropertyFailure}.</li>
 *   <li>{@link dev.faultline.testkit.property.Sample}: what a body draws its values from, each under a label
 *       that the failure report prints.</li>
 *   <li>{@link dev.faultline.testkit.property.Gen} and {@link dev.faultline.testkit.property.Gens}: generators
 *       of numbers, booleans, elements, enums, lists, strings, and their compositions.</li>
 *   <li>{@link dev.faultline.testkit.property.Source}: the choices generators draw from, random in a fresh try
 *       and recorded when a failure is replayed or shrunk.</li>
 * </ul>
 *
 * <p>Every generator draws its value from a sequence of choices, each an unsigned number with an upper bound,
 * and maps the choice 0 to its simplest value. Shrinking works on that sequence (it deletes choices and makes
 * them smaller) and replays the generators on the result, so every composition of generators shrinks without
 * code of its own. The same seed gives the same choices, hence the same values and the same shrunk
 * counterexample.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.testkit.property;
